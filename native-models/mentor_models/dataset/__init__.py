"""Training data for the MENTOR trainer (spec/mentor-model.md §5.6).

    jsonl          read_rows(path, *, skip_bad_rows, base_dir, check_images) -> RowsReport; DataError
    samples        build_sample(row, *, stage, rng, reference_backgrounds) -> TrainingSample (task branches)
    torch_dataset  MentorDataset(rows, *, tokenizer, enc_cfg, gpt_cfg, image_size, stage, seed, vq_codes), collate
    vq_cache       precompute_codes(dataset | rows, vq_model, out_file, *, stage, image_size),
                   load_codes(file, *, rows, vq_model, stage, image_size) -> CodeCache
    builder        build_jsonl(images, out, *, captions, masks): a folder -> JSONL
    python -m mentor_models.dataset build|check
"""

from .jsonl import DataError, Row, RowsReport, SkippedRow, read_rows
from .samples import TASKS, TrainingSample, build_sample, read_reference_backgrounds

# torch-dependent names load on first use, so `python -m mentor_models.dataset check` starts
# without importing torch.
_LAZY = {"MentorDataset": "torch_dataset", "batch_image_embeds": "torch_dataset", "collate": "torch_dataset",
         "StaleCacheError": "vq_cache", "CodeCache": "vq_cache", "load_codes": "vq_cache", "precompute_codes": "vq_cache"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DataError", "Row", "RowsReport", "SkippedRow", "read_rows",
    "TASKS", "TrainingSample", "build_sample", "read_reference_backgrounds",
    "MentorDataset", "batch_image_embeds", "collate",
    "CodeCache", "StaleCacheError", "load_codes", "precompute_codes",
]
