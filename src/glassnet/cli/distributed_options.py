"""The options of ``glassnet train`` that spread one run over the processes of ``mpiexec``.

    mpiexec -n 4 glassnet train --distributed sync [any train option]
    mpiexec -n 5 glassnet train --distributed async --max-staleness 8 [...]

Kept apart from the shared train options: only ``glassnet train`` takes them. Nothing heavy
is imported until a run asks for a role (``glassnet --help`` stays fast).
"""

import argparse
import os

from glassnet.cli.arguments import positive_float
from glassnet.errors import ConfigError

# The world size mpiexec (Open MPI; MPICH/Hydra, Intel MPI) gives its processes.
_WORLD_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE")


def add_distributed_options(parser) -> None:
    group = parser.add_argument_group("distributed (start with mpiexec -n N)")
    group.add_argument("--distributed", choices=("sync", "async"),
                       help="train one model on all the processes mpiexec started: sync "
                            "(gradients all-reduced every step) or async (rank 0 is a "
                            "parameter server)")
    group.add_argument("--max-staleness", type=non_negative_int, metavar="STEPS",
                       help="async: drop gradients staler than this many updates")
    group.add_argument("--distributed-timeout", type=positive_float, metavar="SECONDS",
                       help="give up when the other processes do not answer for this long "
                            "(300)")


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, but got {text}")
    return value


def distributed_role(args):
    """This process's role for ``args``, or None for an ordinary single-process run.

    Raises:
        ConfigError: the distributed options without ``--distributed``, mpiexec started
            several processes without it, or what ``make_role`` refuses.
    """
    if args.distributed is None:
        for option in ("max_staleness", "distributed_timeout"):
            if getattr(args, option) is not None:
                raise ConfigError(
                    f"--{option.replace('_', '-')}: only for distributed runs. Add "
                    "--distributed sync or async (and start with mpiexec), or leave it out."
                )
        size = _launcher_world_size()
        if size > 1:
            raise ConfigError(
                f"mpiexec started {size} processes, but without --distributed each would "
                "train its own copy into the same run folder. Add --distributed sync (or "
                "async), or start one process."
            )
        return None
    from glassnet.distributed.launch import make_role
    from glassnet.distributed.mpi import DEFAULT_TIMEOUT

    timeout = args.distributed_timeout if args.distributed_timeout is not None else \
        DEFAULT_TIMEOUT
    return make_role(args.distributed, max_staleness=args.max_staleness, timeout=timeout)


def _launcher_world_size() -> int:
    for name in _WORLD_SIZE_VARIABLES:
        value = os.environ.get(name, "")
        if value.isdigit():
            return int(value)
    return 1
