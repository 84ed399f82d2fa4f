"""torch.distributed support for ``torchrun`` launches (DistributedDataParallel).

Outside torchrun (no ``WORLD_SIZE`` > 1 in the environment) everything here is a no-op
on a single process, so the training loop has one code path.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
import torch.distributed as dist

T = TypeVar("T")


@dataclass(frozen=True)
class DistContext:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: str = "cpu"

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_from_env(device: str = "cpu") -> DistContext:
    """Join the process group that torchrun describes in the environment (gloo on CPU,
    nccl on CUDA); a plain single-process context otherwise."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("--device cuda was asked for, but PyTorch sees no CUDA device")
        device = f"cuda:{local_rank % torch.cuda.device_count()}"
        torch.cuda.set_device(device)
    if world <= 1:
        return DistContext(device=device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
    return DistContext(dist.get_rank(), dist.get_world_size(), local_rank, device)


def shard(batches: Sequence[T], ctx: DistContext) -> list[T]:
    """Every rank takes every world_size-th batch; all ranks get the same count, so no
    rank waits forever in an all-reduce at the end of an epoch."""
    if not ctx.enabled:
        return list(batches)
    per_rank = len(batches) // ctx.world_size
    return list(batches[ctx.rank :: ctx.world_size][:per_rank])


def barrier(ctx: DistContext) -> None:
    if ctx.enabled:
        dist.barrier()


def all_sum(values: list[float], ctx: DistContext) -> list[float]:
    """Sum a few floats over all ranks (one small all-reduce)."""
    if not ctx.enabled:
        return values
    tensor = torch.tensor(values, dtype=torch.float64, device=ctx.device if ctx.device.startswith("cuda") else "cpu")
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.tolist()


def broadcast(obj: Any, ctx: DistContext) -> Any:
    if not ctx.enabled:
        return obj
    holder = [obj]
    dist.broadcast_object_list(holder, src=0)
    return holder[0]


def parameter_digest(model: torch.nn.Module) -> str:
    """A hash of all parameters, to check that the ranks stayed in sync."""
    digest = hashlib.sha256()
    for name, p in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(p.detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()


def gather_digests(model: torch.nn.Module, ctx: DistContext) -> list[str]:
    mine = parameter_digest(model)
    if not ctx.enabled:
        return [mine]
    out: list[Any] = [None] * ctx.world_size
    dist.all_gather_object(out, mine)
    return out


def cleanup(ctx: DistContext) -> None:
    if ctx.enabled and dist.is_initialized():
        dist.destroy_process_group()
