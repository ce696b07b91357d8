import json
import pathlib

import numpy as np
import pytest

from mentor_models.uniforms import (
    GENERATOR_NAME,
    make_vectors,
    parse_seed,
    splitmix_at,
    uniform,
    uniform_key,
    uniform_numerator,
    uniforms,
    vectors_json,
)

VECTORS_PATH = pathlib.Path(__file__).resolve().parents[1] / "spec" / "uniforms-vectors.json"
VECTORS = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
U64_MAX = 2**64 - 1


def test_vectors_file_matches_the_code():
    # The file is the contract with TypeScript; a change here is a new generator (spec/uniforms.md).
    assert VECTORS["generator"] == GENERATOR_NAME
    assert VECTORS == make_vectors()
    assert VECTORS_PATH.read_text(encoding="utf-8") == vectors_json()


def test_splitmix64_anchor():
    # Published first outputs of SplitMix64 seeded with 0: ties `at()` to an outside reference.
    assert [splitmix_at(0, n) for n in range(3)] == [
        0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    assert VECTORS["splitmix64_seed0_first_outputs"] == [
        "0xe220a8397b1dcdaf", "0x6e789e6aa1b965f4", "0x06c45d188009454f"]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: f"{c['seed']}-{c['image']}-{c['token']}")
def test_vector_case(case):
    seed, image, token = int(case["seed"]), int(case["image"]), int(case["token"])
    assert uniform_key(seed, image, token) == int(case["key"], 16)
    assert uniform_numerator(seed, image, token) == case["numerator"]
    u = uniform(seed, image, token)
    assert u == case["uniform"] == case["numerator"] / 2**24
    assert 0.0 <= u < 1.0
    assert float(np.float32(u)) == u  # exact in float32


def test_vectors_cover_the_edges():
    seeds = {int(c["seed"]) for c in VECTORS["cases"]}
    assert {0, 1, 2**63, U64_MAX, U64_MAX - 1, 2**53, 2**32} <= seeds
    assert len(VECTORS["cases"]) >= 40
    assert max(int(c["image"]) for c in VECTORS["cases"]) == U64_MAX
    assert max(int(c["token"]) for c in VECTORS["cases"]) == U64_MAX


@pytest.mark.parametrize("run", VECTORS["runs"], ids=lambda r: f"{r['seed']}-{r['image']}-{r['start_token']}")
def test_vector_runs(run):
    seed, image, start = int(run["seed"]), int(run["image"]), int(run["start_token"])
    out = uniforms(seed, image + 1, run["count"], start_token=start)
    assert out.dtype == np.float32 and out.shape == (image + 1, run["count"])
    expected = np.array(run["numerators"], dtype=np.float64) / 2**24
    np.testing.assert_array_equal(out[image].astype(np.float64), expected)


def test_uniforms_grid_equals_scalar():
    seed = 2**63 + 12345
    out = uniforms(seed, 3, 40, start_token=100)
    expected = [[uniform(seed, i, 100 + j) for j in range(40)] for i in range(3)]
    np.testing.assert_array_equal(out, np.array(expected, dtype=np.float32))
    # Resuming at a later token gives the same numbers as the straight run.
    np.testing.assert_array_equal(uniforms(seed, 3, 10, start_token=130), out[:, 30:])
    assert uniforms(seed, 0, 5).shape == (0, 5) and uniforms(seed, 2, 0).shape == (2, 0)


def test_uniforms_at_the_top_of_the_token_range():
    out = uniforms(5, 1, 3, start_token=U64_MAX - 2)
    assert out[0, 2] == np.float32(uniform(5, 0, U64_MAX))
    with pytest.raises(ValueError, match="past 2\\^64"):
        uniforms(5, 1, 4, start_token=U64_MAX - 2)


def test_distribution_is_plausibly_uniform():
    u = uniforms(1234, 4, 4096).astype(np.float64).ravel()
    assert abs(u.mean() - 0.5) < 0.01
    counts, _ = np.histogram(u, bins=16, range=(0.0, 1.0))
    expected = u.size / 16
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 50  # 15 degrees of freedom: p ≈ 1e-5
    # Neighbouring seeds, images and tokens are not correlated.
    a, b = uniforms(0, 1, 4096)[0], uniforms(1, 1, 4096)[0]
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.05
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 0.05
    rows = uniforms(0, 2, 4096)
    assert abs(np.corrcoef(rows[0], rows[1])[0, 1]) < 0.05


def test_no_fixed_point_at_zero():
    assert uniform_key(0, 0, 0) != 0
    assert uniform(0, 0, 1) != uniform(0, 1, 0)
    assert uniform(1, 0, 0) != uniform(0, 1, 0) != uniform(0, 0, 1)


@pytest.mark.parametrize("bad", [-1, 2**64, 1.0, "5", True, None])
def test_seed_validation(bad):
    with pytest.raises(ValueError, match="seed"):
        uniform(bad, 0, 0)
    with pytest.raises(ValueError, match="seed"):
        uniforms(bad, 1, 1)


def test_index_validation():
    with pytest.raises(ValueError, match="image"):
        uniform(0, -1, 0)
    with pytest.raises(ValueError, match="token"):
        uniform(0, 0, 2**64)
    with pytest.raises(ValueError, match="images"):
        uniforms(0, -1, 1)
    with pytest.raises(ValueError, match="tokens"):
        uniforms(0, 1, 2.0)
    assert uniform(np.uint64(U64_MAX), 0, 0) == uniform(U64_MAX, 0, 0)


def test_parse_seed():
    assert parse_seed("0") == 0
    assert parse_seed("18446744073709551615") == U64_MAX
    for bad in ["", "-1", "+1", " 1", "1 ", "01", "1_000", "1e3", "0x10", "18446744073709551616",
                "\u0665"]:
        with pytest.raises(ValueError, match="seed"):
            parse_seed(bad)
