"""Process group, device and model wrapping (spec/mentor-model.md §5.5).

torchrun sets RANK / WORLD_SIZE / LOCAL_RANK (and MASTER_ADDR/PORT); a plain `python -m` run is a
world of one without a process group. NCCL on CUDA, gloo on CPU. DDP by default (as the official
trainer, `find_unused_parameters=True`); `parallel.fsdp=true` shards parameters, gradients and Adam
state with FSDP2 (`fully_shard`) per transformer block — use it when GPT + encoder + optimizer state do
not fit one GPU (MENTOR stage 2 trains ~2 B parameters: about 32 GB of fp32 weights + Adam state
before activations, which 80 GB A100s hold, so the official recipe does not need it).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn


@dataclass
class DistEnv:
    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    backend: str | None       # None: no process group (world of one)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.backend is not None


def init_distributed(backend: str = "auto") -> DistEnv:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    if backend == "auto":
        backend = "nccl" if cuda else "gloo"
    if backend == "nccl" and not cuda:
        raise RuntimeError("parallel.backend=nccl needs CUDA; use gloo (or auto) on CPU")
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    # A world of one under torchrun still gets a group: FSDP and the collectives then work alike.
    if world > 1 or "TORCHELASTIC_RUN_ID" in os.environ:
        if not dist.is_initialized():
            kwargs: dict[str, Any] = {"backend": backend, "timeout": datetime.timedelta(minutes=30)}
            if backend == "nccl":
                kwargs["device_id"] = device
            dist.init_process_group(**kwargs)
        return DistEnv(rank, world, local_rank, device, backend)
    return DistEnv(0, 1, 0, device, None)


def shutdown(env: DistEnv) -> None:
    if env.distributed and dist.is_initialized():
        dist.destroy_process_group()


def all_reduce_sum(env: DistEnv, values: torch.Tensor) -> torch.Tensor:
    """Sum a float64/float32 tensor over ranks (a no-op in a world of one). Returns a CPU tensor."""
    if not env.distributed:
        return values
    t = values.to(env.device if env.backend == "nccl" else "cpu")
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.cpu()


def all_gather_objects(env: DistEnv, obj: Any) -> list[Any]:
    if not env.distributed:
        return [obj]
    out: list[Any] = [None] * env.world_size
    dist.all_gather_object(out, obj)
    return out


def broadcast_object(env: DistEnv, obj: Any) -> Any:
    if not env.distributed:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier(env: DistEnv) -> None:
    if env.distributed:
        dist.barrier()


def wrap_model(model: nn.Module, env: DistEnv, *, fsdp: bool, find_unused_parameters: bool) -> nn.Module:
    """DDP (default) or FSDP2 around the MentorModel; the bare model in a world of one without fsdp."""
    if fsdp:
        if not env.distributed:
            raise RuntimeError("parallel.fsdp=true needs a process group: launch with torchrun "
                               "(--nproc_per_node 1 is fine)")
        import warnings

        from torch.distributed.fsdp import fully_shard

        # GPT blocks return (h, k, v) with k/v transposed views (the KV-cache path), and HF T5 blocks
        # return views too; FSDP2 warns about views in case the caller edits them in place. Nothing
        # here does (the trainer discards k/v), and the FSDP run's losses equal DDP's (tests).
        warnings.filterwarnings("ignore", message=r"FSDP2-wrapped module .* returned a view tensor")
        # One unit per GPT block and per T5 block, then the root (embeddings, heads, CLIP, projector).
        # Frozen and trainable parameters may share a unit in FSDP2 (unlike FSDP1 without use_orig_params).
        for layer in model.gpt.layers:  # type: ignore[attr-defined]
            fully_shard(layer)
        for block in model.multimodal_encoder.language_model.encoder.block:  # type: ignore[attr-defined]
            fully_shard(block)
        fully_shard(model)
        return model
    if not env.distributed:
        return model
    from torch.nn.parallel import DistributedDataParallel as DDP

    ids = [env.device.index] if env.device.type == "cuda" else None
    # broadcast_buffers off: the only buffers (uncond_embedding, CLIP position ids) never change.
    return DDP(model, device_ids=ids, find_unused_parameters=find_unused_parameters, broadcast_buffers=False)


def unwrap(model: nn.Module) -> nn.Module:
    return model.module if hasattr(model, "module") and isinstance(model, nn.parallel.DistributedDataParallel) else model
