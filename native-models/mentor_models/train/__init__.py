"""MENTOR's trainer: stage 1 and stage 2 under torchrun (spec/mentor-model.md §5; design.md §8).

`python -m mentor_models.train --config tiny|mentor-stage1|mentor-stage2|FILE --data FILE.jsonl --out DIR`
(see __main__.py). Modules: config (typed, closed config + named configs), model (GPT + multimodal
encoder + frozen VQ), freeze (what trains per stage), schedule (warmup + cosine), data (sharding,
collation, CFG drop, synthetic data), distributed (DDP/FSDP), checkpointing, metrics, samples, loop.
"""

from .config import NAMED_CONFIGS, ConfigError, TrainerConfig, config_from_dict, load_config

__all__ = ["NAMED_CONFIGS", "ConfigError", "TrainerConfig", "config_from_dict", "load_config"]
