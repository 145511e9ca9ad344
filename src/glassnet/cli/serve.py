"""``glassnet serve RUN_OR_CHECKPOINT``: the image-search page for a trained model.

Upload an image (or click a test image) and see the training images nearest to it, by the
features the network learned (a layer's activations, by default the classifier's input) and
by raw pixels, side by side, with the model's prediction. The features of every training
image are computed once, with a progress bar, and cached in the run folder
(features/<layer>-<checkpoint hash>.safetensors). Needs the extra: pip install
'glassnet[serve]'.

The server listens on 127.0.0.1 (this computer only) unless --host names another address.
The page and its JSON API are described in glassnet.serve.app (and the README).
"""

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="image-search page: nearest training images "
                                   "by learned features and by pixels", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", metavar="RUN_OR_CHECKPOINT",
                        help="a run folder of glassnet train (its best checkpoint) or a "
                        ".safetensors file")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (127.0.0.1: only this computer)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000; 0: any free one)")
    parser.add_argument("--layer", help="feature layer, named as glassnet summary lists it "
                        "(default: the layer the classifier reads)")
    parser.add_argument("--space", choices=("both", "features", "pixels"), default="both",
                        help="what the page shows first (both, side by side)")
    parser.add_argument("--lang", choices=("en", "fa"), default="en",
                        help="the page's language (en; fa: Persian, right to left)")
    parser.add_argument("--data-dir", help="folder holding the dataset (default: as trained)")
    parser.add_argument("--max-upload-mb", type=float, default=10.0,
                        help="largest upload accepted, in MB (10)")
    parser.set_defaults(run=run)


def run(args) -> int:
    import threadpoolctl

    from glassnet.cli.checkpoints import checkpoint_path
    from glassnet.errors import ConfigError
    from glassnet.extras import require_extra
    from glassnet.ops import parallel

    if not 0 <= args.port <= 65535:
        raise ConfigError(f"serve: expected --port from 0 to 65535, but got {args.port}.")
    if not args.max_upload_mb > 0:
        raise ConfigError(f"serve: expected --max-upload-mb above 0, but got "
                          f"{args.max_upload_mb}.")
    # The extra is checked before the minutes of feature extraction, not after.
    require_extra("flask", "serve", "glassnet serve")
    from werkzeug.serving import make_server

    from glassnet.serve.app import create_app
    from glassnet.serve.index import open_index

    index, build = open_index(checkpoint_path(args.checkpoint), layer=args.layer,
                              data_dir=args.data_dir)
    print(_features_line(index, build), flush=True)
    # NOTE: from here on, the parallelism is the requests (one thread each), so each one's
    # NumPy work gets one BLAS thread and no glassnet pool threads. With BLAS threads of
    # their own, 8 concurrent searches were 10× slower here (benchmarks/README.md); the
    # extraction above used them all.
    threadpoolctl.threadpool_limits(limits=1, user_api="blas")
    parallel.set_num_threads(1)
    app = create_app(index, lang=args.lang, view=args.space,
                     max_upload_bytes=int(args.max_upload_mb * 2**20))
    with _listen(args.host, args.port) as listener:  # the server keeps its own copy
        server = make_server(args.host, args.port, app, threaded=True, fd=listener.fileno())
    return _serve_until_stopped(server, args.host)


def _listen(host: str, port: int):
    """A listening socket on ``host``:``port`` (werkzeug would exit on a busy port itself).

    Raises:
        ConfigError: the address is in use or cannot be bound, with what to do.
    """
    import socket

    from glassnet.errors import ConfigError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        raise ConfigError(
            f"serve: could not listen on {host} port {port}: {error.strerror or error}. "
            "Choose another --port (0 picks a free one) or --host."
        ) from None


def _serve_until_stopped(server, host: str) -> int:
    """Say where the page is, then serve until Ctrl-C or SIGTERM (werkzeug's loop ends on
    KeyboardInterrupt and closes the socket); exit code 0."""
    import signal

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)  # before the URL: a client may stop us
    try:
        if not _is_loopback(host):
            print(f"glassnet serve: listening on {host}, which other computers can reach: "
                  "anyone who can connect can use this page and see the training images. "
                  "Leave out --host to keep it to this computer (127.0.0.1).", flush=True)
        print(f"glassnet serve: open {_url(host, server.port)} (Ctrl-C stops the server)",
              flush=True)
        server.serve_forever()
    except KeyboardInterrupt:  # stopped before the loop began
        server.server_close()
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("glassnet serve: stopped.", flush=True)
    return 0


def _features_line(index, build) -> str:
    where = build.cache_path
    how = "read from" if build.from_cache else "computed and cached in"
    size = f" ({where.stat().st_size / 1e6:.1f} MB)" if where.is_file() else ""
    return (f"glassnet serve: features of {len(index):,} training images at layer "
            f"{index.layer} ({index.feature_size:,} values each), {how} {where}{size} "
            f"in {build.seconds:.1f} s")


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost
        return False


def _url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::"):  # every address: this computer reaches it on loopback
        host = "127.0.0.1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
