"""VQ-16 tokenizer: official key layout, code/decode shapes, codebook normalisation, ONNX decode."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mentor_models.configs import VQ_CONFIGS, VQConfig
from mentor_models.vq import VQModel

# ---------------------------------------------------------------- official key layout


def _res(p: str, c_in: int, c_out: int) -> dict[str, tuple[int, ...]]:
    keys = {f"{p}norm1.weight": (c_in,), f"{p}norm1.bias": (c_in,),
            f"{p}conv1.weight": (c_out, c_in, 3, 3), f"{p}conv1.bias": (c_out,),
            f"{p}norm2.weight": (c_out,), f"{p}norm2.bias": (c_out,),
            f"{p}conv2.weight": (c_out, c_out, 3, 3), f"{p}conv2.bias": (c_out,)}
    if c_in != c_out:
        keys |= {f"{p}nin_shortcut.weight": (c_out, c_in, 1, 1), f"{p}nin_shortcut.bias": (c_out,)}
    return keys


def _attn(p: str, c: int) -> dict[str, tuple[int, ...]]:
    keys = {f"{p}norm.weight": (c,), f"{p}norm.bias": (c,)}
    for conv in ("q", "k", "v", "proj_out"):
        keys |= {f"{p}{conv}.weight": (c, c, 1, 1), f"{p}{conv}.bias": (c,)}
    return keys


def vq16_keys() -> dict[str, tuple[int, ...]]:
    """`vq_ds16_t2i.pt["model"]` key table of spec §3.3, written out level by level."""
    k = {"encoder.conv_in.weight": (128, 3, 3, 3), "encoder.conv_in.bias": (128,)}
    c_in = 128
    for i, c in enumerate([128, 128, 256, 256, 512]):
        for j in range(2):
            k |= _res(f"encoder.conv_blocks.{i}.res.{j}.", c_in if j == 0 else c, c)
        if i < 4:
            k |= {f"encoder.conv_blocks.{i}.downsample.conv.weight": (c, c, 3, 3),
                  f"encoder.conv_blocks.{i}.downsample.conv.bias": (c,)}
        c_in = c
    k |= _attn("encoder.conv_blocks.4.attn.0.", 512) | _attn("encoder.conv_blocks.4.attn.1.", 512)
    k |= _res("encoder.mid.0.", 512, 512) | _attn("encoder.mid.1.", 512) | _res("encoder.mid.2.", 512, 512)
    k |= {"encoder.norm_out.weight": (512,), "encoder.norm_out.bias": (512,),
          "encoder.conv_out.weight": (256, 512, 3, 3), "encoder.conv_out.bias": (256,)}
    k |= {"quant_conv.weight": (8, 256, 1, 1), "quant_conv.bias": (8,),
          "quantize.embedding.weight": (16384, 8), "quantize.codebook_used": (65536,),
          "post_quant_conv.weight": (256, 8, 1, 1), "post_quant_conv.bias": (256,)}
    k |= {"decoder.conv_in.weight": (512, 256, 3, 3), "decoder.conv_in.bias": (512,)}
    k |= _res("decoder.mid.0.", 512, 512) | _attn("decoder.mid.1.", 512) | _res("decoder.mid.2.", 512, 512)
    c_in = 512
    for i, c in enumerate([512, 256, 256, 128, 128]):
        for j in range(3):
            k |= _res(f"decoder.conv_blocks.{i}.res.{j}.", c_in if j == 0 else c, c)
        if i < 4:
            k |= {f"decoder.conv_blocks.{i}.upsample.conv.weight": (c, c, 3, 3),
                  f"decoder.conv_blocks.{i}.upsample.conv.bias": (c,)}
        c_in = c
    for j in range(3):
        k |= _attn(f"decoder.conv_blocks.0.attn.{j}.", 512)
    k |= {"decoder.norm_out.weight": (128,), "decoder.norm_out.bias": (128,),
          "decoder.conv_out.weight": (3, 128, 3, 3), "decoder.conv_out.bias": (3,)}
    return k


def test_vq16_has_the_official_keys_and_shapes():
    with torch.device("meta"):
        model = VQModel(VQ_CONFIGS["VQ-16"])
    got = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert got == vq16_keys()
    nin = sorted(k.rsplit(".nin_shortcut", 1)[0] for k in got if k.endswith("nin_shortcut.weight"))
    assert nin == ["decoder.conv_blocks.1.res.0", "decoder.conv_blocks.3.res.0",
                   "encoder.conv_blocks.2.res.0", "encoder.conv_blocks.4.res.0"]
    assert 71e6 < sum(p.numel() for p in model.parameters()) < 73e6  # ~72 M (LlamaGen README)


def test_usage_buffer_length_does_not_follow_the_codebook():
    model = VQModel(VQ_CONFIGS["VQ-tiny"])
    assert model.quantize.codebook_used.shape == (65536,)
    assert model.quantize.embedding.weight.shape == (512, 8)


# ---------------------------------------------------------------- codes and decode


@pytest.fixture(scope="module")
def vq_tiny():
    torch.manual_seed(0)
    return VQModel(VQ_CONFIGS["VQ-tiny"]).eval()


def test_encode_decode_shapes(vq_tiny):
    cfg = vq_tiny.cfg
    assert cfg.downsample == 4
    images = torch.rand(2, 3, 32, 48) * 2 - 1
    codes = vq_tiny.encode_to_codes(images)
    assert codes.shape == (2, 8 * 12) and codes.dtype == torch.int64
    assert 0 <= int(codes.min()) and int(codes.max()) < cfg.codebook_size
    with torch.no_grad():
        assert vq_tiny.decode_codes(codes, (8, 12)).shape == (2, 3, 32, 48)
        assert vq_tiny.decode_codes(codes[:, :64], 8).shape == (2, 3, 32, 32)
    with pytest.raises(ValueError, match="grid"):
        vq_tiny.decode_codes(codes, 8)


def test_nearest_code_is_by_direction(vq_tiny):
    """Latents pointing along code vectors quantise to those codes, whatever their length."""
    torch.manual_seed(1)
    table = vq_tiny.quantize.embedding.weight.detach()
    want = torch.randint(0, table.shape[0], (2, 16))
    z = table[want] * (torch.rand(2, 16, 1) * 5 + 0.1)  # [B, N, e], random positive lengths
    z = z.reshape(2, 4, 4, -1).permute(0, 3, 1, 2)       # [B, e, h, w], row-major grid
    with torch.no_grad():
        assert torch.equal(vq_tiny.quantize.nearest(z), want)


def test_decode_and_encode_ignore_codebook_row_scale():
    torch.manual_seed(0)
    model = VQModel(VQ_CONFIGS["VQ-tiny"]).eval()
    images = torch.rand(1, 3, 32, 32) * 2 - 1
    codes = model.encode_to_codes(images)
    with torch.no_grad():
        before = model.decode_codes(codes, 8)
        model.quantize.embedding.weight.mul_(torch.rand(512, 1) * 10 + 0.01)
        after = model.decode_codes(codes, 8)
    torch.testing.assert_close(after, before, rtol=0, atol=1e-5)
    assert torch.equal(model.encode_to_codes(images), codes)


def test_decode_reads_the_normalised_code_vectors(vq_tiny):
    torch.manual_seed(2)
    codes = torch.randint(0, 512, (1, 16))
    z = vq_tiny.quantize.lookup(codes, (4, 4))
    table = F.normalize(vq_tiny.quantize.embedding.weight, dim=-1)
    torch.testing.assert_close(z[0, :, 1, 2], table[codes[0, 1 * 4 + 2]], rtol=0, atol=0)


def test_without_l2_norm_codebook_is_used_raw():
    model = VQModel(VQConfig(codebook_size=512, z_channels=32, ch=16, ch_mult=(1, 2), encoder_res_blocks=1,
                             decoder_res_blocks=1, norm_groups=8, codebook_l2_norm=False))
    torch.testing.assert_close(model.quantize.codebook(), model.quantize.embedding.weight, rtol=0, atol=0)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the TorchScript exporter warns it is legacy
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")
def test_decode_onnx_round_trip(tmp_path, vq_tiny):
    import onnxruntime as ort

    class Decode(torch.nn.Module):
        def __init__(self, vq):
            super().__init__()
            self.vq = vq

        def forward(self, codes):  # [B, 64] -> [B, 3, 32, 32]
            return self.vq.decode_codes(codes, 8)

    model = Decode(vq_tiny).eval()
    path = tmp_path / "vq_decode.onnx"
    torch.manual_seed(3)
    torch.onnx.export(model, (torch.randint(0, 512, (2, 64)),), path, dynamo=False, opset_version=17,
                      input_names=["codes"], output_names=["image"],
                      dynamic_axes={"codes": {0: "b"}, "image": {0: "b"}})
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    codes = torch.randint(0, 512, (3, 64))
    (got,) = session.run(None, {"codes": codes.numpy()})
    with torch.no_grad():
        want = model(codes).numpy()
    assert got.shape == (3, 3, 32, 32)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4)
