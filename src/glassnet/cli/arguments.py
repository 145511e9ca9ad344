"""Argument types shared by the commands: argparse reports their errors with exit code 2."""

import argparse
import math


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, but got {text}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a positive number, but got {text}")
    return value


def non_negative_float(text: str) -> float:
    value = float(text)
    if not 0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a non-negative number, but got {text}")
    return value


def comma_ints(text: str) -> list[int]:
    """"256,128" → [256, 128]."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers such as 256,128, but got {text}"
        ) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive widths, but got {text}")
    return values


def comma_names(text: str) -> list[str]:
    """"crop,flip" → ["crop", "flip"] (the names are checked by the config)."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected comma-separated names, but got {text!r}")
    return names


def add_bool(group, flag: str, help_text: str) -> None:
    """``--flag`` / ``--no-flag``, defaulting to None (= not given)."""
    group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=help_text)
