# An MPI runtime for the distributed-training tests: Debian's Open MPI, which the mpi4py
# wheel of uv.lock loads at run time (its Open MPI build, checked below). Nothing to start or
# stop: each test launches its own short mpiexec job on this machine.
if ! command -v mpiexec >/dev/null 2>&1; then
    apt_install openmpi-bin libopenmpi-dev ||
        echo "note: could not install openmpi-bin; the MPI tests will say so"
fi
if command -v mpiexec >/dev/null 2>&1 &&
    uv run --locked python -c "from mpi4py import MPI" >/dev/null 2>&1; then
    export GLASSNET_TEST_MPIEXEC
    GLASSNET_TEST_MPIEXEC=$(command -v mpiexec)
    # More processes than cores (CI has 2), and Open MPI refuses root without the flag.
    GLASSNET_TEST_MPIEXEC_FLAGS="--oversubscribe"
    if [ "$(id -u)" = 0 ]; then
        GLASSNET_TEST_MPIEXEC_FLAGS="$GLASSNET_TEST_MPIEXEC_FLAGS --allow-run-as-root"
    fi
    export GLASSNET_TEST_MPIEXEC_FLAGS
else
    echo "note: mpi4py cannot load an MPI library; the MPI tests will say so"
fi
