"""The sampling uniforms: one counter-based generator keyed by (seed, image index, token index).

Defined in spec/uniforms.md ("nested SplitMix64", version 1) and implemented the same way in
main/engine/uniforms.ts; both test against spec/uniforms-vectors.json. No state: the uniform of
any token is computed directly from its key, so a resumed or re-batched run draws the same numbers
(design.md §5).

Each value is a 24-bit integer divided by 2^24, so it lies in [0, 1) and is exact in float32 and
float64 alike: the float32 graph input and the float64 value in TypeScript are the same number.
"""

from __future__ import annotations

import numbers

import numpy as np

GENERATOR_NAME = "nested-splitmix64-v1"

MASK64 = (1 << 64) - 1
# SplitMix64's increment (2^64 / golden ratio, odd) and its output finaliser's multipliers
# (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014).
GAMMA = 0x9E3779B97F4A7C15
MIX_M1 = 0xBF58476D1CE4E5B9
MIX_M2 = 0x94D049BB133111EB
UNIFORM_BITS = 24
UNIFORM_SCALE = 2.0 ** -UNIFORM_BITS


def mix64(z: int) -> int:
    """SplitMix64's finaliser, a bijection on 64-bit integers."""
    z &= MASK64
    z = ((z ^ (z >> 30)) * MIX_M1) & MASK64
    z = ((z ^ (z >> 27)) * MIX_M2) & MASK64
    return z ^ (z >> 31)


def splitmix_at(state: int, n: int) -> int:
    """Output n (0-based) of a SplitMix64 stream whose state starts at `state`."""
    return mix64(state + (n + 1) * GAMMA)


def validate_u64(value: object, name: str) -> int:
    """`value` as an int in [0, 2^64); bools, floats, strings and out-of-range ints are errors."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer in [0, 2^64), got {type(value).__name__} {value!r}")
    value = int(value)
    if not 0 <= value <= MASK64:
        raise ValueError(f"{name} must be in [0, 2^64 - 1 = {MASK64}], got {value}")
    return value


def parse_seed(text: str) -> int:
    """A seed from its decimal text ("0" .. "18446744073709551615"), as the app stores seeds."""
    if not isinstance(text, str):
        raise ValueError(f"seed text must be a string, got {type(text).__name__}")
    # Digits only: int() would also take "+5", " 5", "5_000" and "٥" (non-ASCII digits).
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"seed must be a decimal integer in [0, 2^64), got {text!r}")
    if len(text) > 1 and text[0] == "0":
        raise ValueError(f"seed must not have leading zeros, got {text!r}")
    return validate_u64(int(text), "seed")


def uniform_key(seed: int, image: int, token: int) -> int:
    """The 64-bit key of (seed, image, token); the uniform is its top 24 bits."""
    seed = validate_u64(seed, "seed")
    image = validate_u64(image, "image")
    token = validate_u64(token, "token")
    seed_state = splitmix_at(seed, 0)
    image_state = splitmix_at(seed_state, image)
    return splitmix_at(image_state, token)


def uniform_numerator(seed: int, image: int, token: int) -> int:
    """The uniform times 2^24: an int in [0, 2^24)."""
    return uniform_key(seed, image, token) >> (64 - UNIFORM_BITS)


def uniform(seed: int, image: int, token: int) -> float:
    """The uniform in [0, 1) for token `token` of image `image` under `seed`."""
    return uniform_numerator(seed, image, token) * UNIFORM_SCALE


def _mix64_array(z: np.ndarray) -> np.ndarray:
    # uint64 array arithmetic wraps mod 2^64, as the definition requires.
    z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX_M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX_M2)
    return z ^ (z >> np.uint64(31))


def uniforms(seed: int, images: int, tokens: int, start_token: int = 0) -> np.ndarray:
    """Uniforms for images 0..images-1 and tokens start_token..start_token+tokens-1.

    Returns float32 [images, tokens]; row i, column j is uniform(seed, i, start_token + j).
    """
    seed = validate_u64(seed, "seed")
    for name, value in (("images", images), ("tokens", tokens)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    start_token = validate_u64(start_token, "start_token")
    if tokens and start_token + tokens - 1 > MASK64:
        raise ValueError(f"token indices {start_token}..{start_token + tokens - 1} go past 2^64 - 1")
    seed_state = splitmix_at(seed, 0)
    image_states = np.array([splitmix_at(seed_state, i) for i in range(images)], dtype=np.uint64)  # [images]
    # (n + 1)·GAMMA mod 2^64 for each token index n, computed exactly in Python ints.
    steps = np.array(
        [((start_token + j + 1) * GAMMA) & MASK64 for j in range(tokens)], dtype=np.uint64
    )  # [tokens]
    with np.errstate(over="ignore"):
        keys = _mix64_array(image_states[:, None] + steps[None, :])  # [images, tokens]
    numerators = (keys >> np.uint64(64 - UNIFORM_BITS)).astype(np.float32)
    return numerators * np.float32(UNIFORM_SCALE)


# --- shared test vectors (spec/uniforms-vectors.json) ---

_U64_MAX = MASK64
_VECTOR_CASES: tuple[tuple[int, int, int], ...] = (
    # (seed, image, token): small values, the 32/53/63/64-bit edges, and indices whose
    # (n + 1)·GAMMA wraps (n = 2^64 - 1 gives a step of 0).
    (0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0), (0, 1, 1), (0, 0, 1023), (0, 3, 1023),
    (1, 0, 0), (1, 0, 1), (1, 1, 0), (2, 0, 0), (2, 5, 77),
    (42, 0, 0), (42, 0, 1), (42, 0, 3), (42, 0, 255), (42, 1, 0), (42, 7, 1024),
    (12345, 2, 500), (2**31 - 1, 0, 0), (2**32 - 1, 1, 1), (2**32, 0, 0), (2**32 + 1, 9, 999),
    (2**53 - 1, 0, 0), (2**53, 1, 2), (2**53 + 1, 0, 4095),
    (2**63 - 1, 0, 0), (2**63, 0, 0), (2**63, 1, 1), (2**63 + 1, 2, 3),
    (_U64_MAX - 1, 0, 0), (_U64_MAX, 0, 0), (_U64_MAX, 0, 1), (_U64_MAX, 1, 0),
    (GAMMA, 0, 0), (0xDEADBEEFCAFEBABE, 31, 16383),
    (7, 65535, 65535), (7, 2**31 - 1, 2**32), (7, 2**53 - 1, 2**53 - 1),
    (99, 2**53, 0), (99, 0, 2**63), (_U64_MAX, _U64_MAX, _U64_MAX), (0, _U64_MAX, 0),
)
# (seed, image, start_token, count): runs of consecutive tokens, as uniformsFor() returns them.
_VECTOR_RUNS: tuple[tuple[int, int, int, int], ...] = (
    (0, 0, 0, 16),
    (42, 1, 1016, 16),
    (_U64_MAX, 3, 2**53 - 8, 8),
)


def make_vectors() -> dict:
    """The content of spec/uniforms-vectors.json (u64 values as decimal strings, keys as hex)."""
    cases = []
    for seed, image, token in _VECTOR_CASES:
        seed_state = splitmix_at(seed, 0)
        image_state = splitmix_at(seed_state, image)
        key = splitmix_at(image_state, token)
        numerator = key >> (64 - UNIFORM_BITS)
        cases.append({
            "seed": str(seed), "image": str(image), "token": str(token),
            "seed_state": f"0x{seed_state:016x}", "image_state": f"0x{image_state:016x}",
            "key": f"0x{key:016x}", "numerator": numerator, "uniform": numerator * UNIFORM_SCALE,
        })
    runs = [
        {"seed": str(seed), "image": str(image), "start_token": str(start), "count": count,
         "numerators": [uniform_numerator(seed, image, start + j) for j in range(count)]}
        for seed, image, start, count in _VECTOR_RUNS
    ]
    return {
        "generator": GENERATOR_NAME,
        "spec": "spec/uniforms.md",
        "note": "Generated by `python -m mentor_models.uniforms`; uniform = numerator / 2^24.",
        "splitmix64_seed0_first_outputs": [f"0x{splitmix_at(0, n):016x}" for n in range(3)],
        "cases": cases,
        "runs": runs,
    }


def vectors_json() -> str:
    """make_vectors() as the file's text: one case or run per line, so diffs stay readable."""
    import json

    data = make_vectors()
    lines = ["{"]
    for name, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            rows = ",\n".join("  " + json.dumps(row) for row in value)
            lines.append(f' {json.dumps(name)}: [\n{rows}\n ],')
        else:
            lines.append(f" {json.dumps(name)}: {json.dumps(value)},")
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join(lines) + "\n}\n"


if __name__ == "__main__":
    import pathlib

    out = pathlib.Path(__file__).resolve().parents[1] / "spec" / "uniforms-vectors.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(vectors_json(), encoding="utf-8")
    print(f"wrote {out}")
