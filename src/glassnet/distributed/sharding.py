"""Which examples each process sees: a disjoint shard of every global batch.

Every process shuffles the training set with the same generator, so all of them know the
same epoch order and the same global batches of ``batch_size`` examples. Process ``r`` of
``n`` takes rows ``[⌊b·r/n⌋, ⌊b·(r+1)/n⌋)`` of each global batch of ``b`` examples: the
shards are disjoint, cover the batch, and differ in size by at most one. Together the
processes see exactly the batches a single process would, in the same order.

A last global batch with fewer examples than processes would leave some process nothing to
compute on; it is skipped (at most ``n − 1`` examples of an epoch).
"""

from glassnet.errors import ConfigError


def shard_bounds(batch: int, rank: int, world_size: int) -> tuple[int, int]:
    """The rows ``[start, end)`` of a global batch of ``batch`` rows that ``rank`` takes.

    Example:
        >>> [shard_bounds(10, rank, 3) for rank in range(3)]
        [(0, 3), (3, 6), (6, 10)]
    """
    return batch * rank // world_size, batch * (rank + 1) // world_size


class ShardedLoader:
    """A view of a ``DataLoader`` (of global batches) that yields this process's shards.

    Its position is the wrapped loader's (``state_dict``/``load_state_dict`` pass through),
    so checkpoints and resuming work in global batches, whatever the number of processes.

    Args:
        loader: the DataLoader every process builds alike (same data, seed, batch size).
        rank, world_size: this process and how many there are.

    Attributes:
        shard_size: examples in the last shard handed out.
        batch_size_now: examples in the last global batch (the full batch unless it was
            the epoch's last).
    """

    def __init__(self, loader, rank: int, world_size: int):
        if loader.batch_size < world_size:
            raise ConfigError(
                f"ShardedLoader: expected a global batch size of at least the number of "
                f"processes ({world_size}), but got batch_size={loader.batch_size}. Raise "
                "--batch-size or start fewer processes."
            )
        self.loader = loader
        self.rank, self.world_size = rank, world_size
        self.batch_size = loader.batch_size  # the global batch, for progress and throughput
        self.shard_size = 0
        self.batch_size_now = 0

    def __len__(self) -> int:
        batches = len(self.loader)
        last = self.loader.num_examples - (batches - 1) * self.batch_size
        return batches - 1 if batches and 0 < last < self.world_size else batches

    def __iter__(self):
        for batch in self.loader:
            size = len(batch[0])
            if size < self.world_size:
                continue  # the epoch's last, tiny batch: not every process would get one
            start, end = shard_bounds(size, self.rank, self.world_size)
            self.shard_size, self.batch_size_now = end - start, size
            yield tuple(array[start:end] for array in batch)

    def state_dict(self) -> dict:
        return self.loader.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.loader.load_state_dict(state)

    def __repr__(self) -> str:
        return f"ShardedLoader({self.loader!r}, rank={self.rank}, world_size={self.world_size})"
