"""``glassnet datasets``: which datasets glassnet finds, where, and where it looks."""

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("datasets", help="show where each dataset is found",
                                   description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="look only in this folder (and its <dataset> "
                        "subfolder), as the other commands' --data-dir does")
    parser.set_defaults(run=run)


def run(args) -> int:
    from glassnet.data import available_datasets, dataset_search_dirs, find_cifar10, find_mnist

    for name in available_datasets():
        find = find_cifar10 if name == "cifar10" else find_mnist
        folders = dataset_search_dirs(name, args.data_dir, fallback=False)
        found = [folder for folder in folders if find(folder, "train") and find(folder, "test")]
        where = f"found in {found[0]}" if found else "not found"
        print(f"{name}: {where}")
        print("  searched: " + ", ".join(str(folder) for folder in folders))
    print("Fashion-MNIST on Debian: apt-get install dataset-fashion-mnist; others: "
          "glassnet train --download, or put the official files in one of the folders above.")
    return 0
