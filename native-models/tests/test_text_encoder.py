"""T5 encoder, `<image>` splicing and the multimodal encoder's official key layout."""

import numpy as np
import pytest
import torch

from mentor_models.encoder_configs import ENCODER_CONFIGS, get_encoder_config
from mentor_models.multimodal_encoder import MultimodalEncoder
from mentor_models.text_encoder import build_t5_encoder, splice_image_embeddings

from test_vision import clip_l_keys, shapes

IMG = 7  # image token id for the splice tests


# ---------------------------------------------------------------- official key layout


def flan_t5_xl_encoder_keys(prefix: str) -> dict[str, tuple[int, ...]]:
    """FlanT5-XL encoder key table of spec §3.3."""
    keys = {"shared.weight": (32128, 2048), "encoder.embed_tokens.weight": (32128, 2048),
            "encoder.final_layer_norm.weight": (2048,),
            "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight": (32, 32)}
    for i in range(24):
        p = f"encoder.block.{i}.layer."
        keys |= {f"{p}0.SelfAttention.{w}.weight": (2048, 2048) for w in "qkvo"}
        keys |= {f"{p}0.layer_norm.weight": (2048,), f"{p}1.layer_norm.weight": (2048,),
                 f"{p}1.DenseReluDense.wi_0.weight": (5120, 2048),
                 f"{p}1.DenseReluDense.wi_1.weight": (5120, 2048),
                 f"{p}1.DenseReluDense.wo.weight": (2048, 5120)}
    return {prefix + k: v for k, v in keys.items()}


def test_full_size_multimodal_encoder_has_the_official_keys():
    with torch.device("meta"):
        model = MultimodalEncoder(ENCODER_CONFIGS["mentor-xl"])
    want = clip_l_keys("vision_model.vision_tower.vision_model.")
    want |= {"language_projection.0.weight": (2048, 1024), "language_projection.0.bias": (2048,),
             "language_projection.2.weight": (2048, 2048), "language_projection.2.bias": (2048,)}
    want |= flan_t5_xl_encoder_keys("language_model.")
    assert shapes(model) == want
    t5 = model.language_model
    assert t5.shared.weight is t5.encoder.embed_tokens.weight  # tied alias: one tensor, two keys
    # Spec §1: CLIP-L vision 303 M (incl. the unused post_layernorm), projector 6.3 M, T5-XL encoder 1,223.5 M.
    count = {name: sum(p.numel() for p in child.parameters()) for name, child in model.named_children()}
    assert count == {"vision_model": 303_179_776, "language_projection": 6_295_552,
                     "language_model": 1_223_527_424}


def test_relative_attention_bias_only_in_block_0():
    t5 = build_t5_encoder(ENCODER_CONFIGS["tiny"])
    bias_keys = [k for k in t5.state_dict() if "relative_attention_bias" in k]
    assert bias_keys == ["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"]


# ---------------------------------------------------------------- splicing


def prompt(layout: list[tuple[str, int]]) -> torch.Tensor:
    """Token ids from runs like [("text", 3), ("img", 4)]; text ids are distinct and never IMG."""
    ids, next_text = [], 100
    for kind, n in layout:
        if kind == "img":
            ids += [IMG] * n
        else:
            ids += list(range(next_text, next_text + n))
            next_text += n
    return torch.tensor(ids)


@pytest.mark.parametrize("n_images", [1, 2])
def test_image_k_fills_the_kth_placeholder_group(n_images):
    torch.manual_seed(0)
    P, D = 4, 6
    layout = [("text", 3)]
    for _ in range(n_images):
        layout += [("img", P), ("text", 2)]
    ids = prompt(layout)[None]  # [1, L]
    tok = torch.randn(1, ids.shape[1], D)
    images = torch.randn(n_images, P, D)  # per image
    out = splice_image_embeddings(ids, tok, images.reshape(1, n_images * P, D), IMG)
    starts = [3 + k * (P + 2) for k in range(n_images)]
    for k, s in enumerate(starts):
        torch.testing.assert_close(out[0, s:s + P], images[k], rtol=0, atol=0)
    text = ids[0] != IMG
    torch.testing.assert_close(out[0, text], tok[0, text], rtol=0, atol=0)


def test_samples_with_different_image_counts_and_official_order():
    """Sample 0 has one image (its row block is padded), sample 1 has two. With equal counts the
    result equals MENTOR's row-major boolean assignment of all images at once."""
    torch.manual_seed(0)
    P, D = 3, 5
    ids = torch.stack([prompt([("img", P), ("text", 7)]),
                       prompt([("text", 1), ("img", P), ("img", P), ("text", 3)])])
    tok = torch.randn(2, ids.shape[1], D)
    img = torch.randn(2, 2 * P, D)
    out = splice_image_embeddings(ids, tok, img, IMG)
    torch.testing.assert_close(out[0, :P], img[0, :P], rtol=0, atol=0)
    torch.testing.assert_close(out[1, 1:1 + 2 * P], img[1], rtol=0, atol=0)

    same = torch.stack([prompt([("text", 2), ("img", P), ("text", 2)])] * 2)
    tok = torch.randn(2, same.shape[1], D)
    img = torch.randn(2, P, D)
    official = tok.clone()
    official[same == IMG] = img.reshape(-1, D)  # samples in order, placeholders left to right
    torch.testing.assert_close(splice_image_embeddings(same, tok, img, IMG), official, rtol=0, atol=0)


def test_text_only_prompts_are_unchanged():
    torch.manual_seed(0)
    ids = prompt([("text", 9)])[None].repeat(2, 1)
    tok = torch.randn(2, 9, 4)
    for img in (torch.zeros(2, 0, 4), torch.randn(2, 6, 4)):  # M = 0, or rows but no placeholders
        torch.testing.assert_close(splice_image_embeddings(ids, tok, img, IMG), tok, rtol=0, atol=0)


# ---------------------------------------------------------------- encode_text


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return MultimodalEncoder(get_encoder_config("tiny", t5_vocab_size=300, image_token_id=299)).eval()


def test_encode_text_text_only_equals_t5_on_ids(tiny):
    ids = torch.randint(2, 299, (2, 12))
    mask = torch.ones(2, 12, dtype=torch.long)
    mask[1, 8:] = 0  # right padding
    with torch.no_grad():
        got = tiny.encode_text(ids, mask)
        want = tiny.language_model(input_ids=ids, attention_mask=mask).last_hidden_state
    assert got.shape == (2, 12, 48)
    torch.testing.assert_close(got, want, rtol=0, atol=0)


def test_encode_text_splices_encoded_images(tiny):
    cfg = tiny.cfg
    P = cfg.tokens_per_image
    torch.manual_seed(1)
    ids = torch.randint(2, 299, (1, P + 6))
    ids[0, 2:2 + P] = cfg.image_token_id
    mask = torch.ones_like(ids)
    with torch.no_grad():
        images = tiny.encode_images(torch.randn(1, 3, 32, 32))  # [1, P, D]
        got = tiny.encode_text(ids, mask, images)
        embeds = tiny.language_model.shared(ids)
        embeds[0, 2:2 + P] = images[0]
        want = tiny.language_model(inputs_embeds=embeds, attention_mask=mask).last_hidden_state
        text_only = tiny.encode_text(ids, mask)
    assert images.shape == (1, 16, 48)
    torch.testing.assert_close(got, want, rtol=0, atol=0)
    assert not torch.allclose(got, text_only)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")
def test_splice_onnx_round_trip_with_dynamic_sizes(tmp_path):
    import onnxruntime as ort

    class Splice(torch.nn.Module):
        def forward(self, ids, tok, img):
            return splice_image_embeddings(ids, tok, img, IMG)

    torch.manual_seed(0)
    path = tmp_path / "splice.onnx"
    ids = prompt([("text", 2), ("img", 4), ("text", 2)])[None].repeat(2, 1)
    torch.onnx.export(Splice(), (ids, torch.randn(2, 8, 5), torch.randn(2, 4, 5)), path, dynamo=False,
                      opset_version=17, input_names=["ids", "tok", "img"], output_names=["out"],
                      dynamic_axes={"ids": {0: "b", 1: "l"}, "tok": {0: "b", 1: "l"}, "img": {0: "b", 1: "m"}})
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    cases = [prompt([("img", 3), ("text", 1), ("img", 3)])[None].repeat(3, 1),  # B 3, L 7, M 6
             prompt([("text", 5)])[None]]                                       # M = 0
    for ids in cases:
        tok = torch.randn(ids.shape[0], ids.shape[1], 5)
        img = torch.randn(ids.shape[0], int((ids[0] == IMG).sum()), 5)
        (got,) = session.run(None, {"ids": ids.numpy(), "tok": tok.numpy(), "img": img.numpy()})
        np.testing.assert_array_equal(got, splice_image_embeddings(ids, tok, img, IMG).numpy())
