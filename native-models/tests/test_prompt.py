import numpy as np
import pytest
from tokenizers import Tokenizer

from mentor_models.prompt import (
    IMAGE_TOKEN,
    TASK_TEMPLATES,
    PromptError,
    check_budget,
    encode_prompt,
    expand_prompt,
    render_template,
    template_images,
)
from mentor_models.tiny_tokenizer import DEFAULT_CORPUS, image_token_id, train_tiny_tokenizer


@pytest.fixture(scope="module")
def tok():
    return train_tiny_tokenizer(DEFAULT_CORPUS, vocab_size=512)


# --- expand_prompt ---

def test_expand_replaces_each_marker_with_a_run_of_tokens():
    out = expand_prompt("A cat in <image>.\nA cat in a pixel-art scene", 1, 4)
    assert out == "A cat in <image><image><image><image>.\nA cat in a pixel-art scene"
    two = expand_prompt("The dog in <image>.\nThe cat in <image>.\nTogether.", 2, 256)
    assert two.count(IMAGE_TOKEN) == 512
    assert expand_prompt("no images here", 0, 256) == "no images here"


def test_expand_with_a_custom_marker():
    assert expand_prompt("A cat in [img].", 1, 2, marker="[img]") == "A cat in <image><image>."
    with pytest.raises(PromptError, match="literal text <image>"):
        expand_prompt("A cat in [img] and <image>", 1, 2, marker="[img]")


@pytest.mark.parametrize("prompt, n_images, counts", [
    ("A cat in <image>.", 2, ("1 <image> marker", "2 images")),
    ("<image> and <image>", 1, ("2 <image> markers", "1 image")),
    ("no marker", 1, ("0 <image> markers", "1 image")),
])
def test_expand_marker_count_mismatch_names_both_counts(prompt, n_images, counts):
    with pytest.raises(PromptError) as info:
        expand_prompt(prompt, n_images, 16)
    for text in counts:
        assert text in str(info.value)


def test_expand_bad_arguments():
    with pytest.raises(PromptError, match="tokens_per_image"):
        expand_prompt("<image>", 1, 0)
    with pytest.raises(PromptError, match="n_images"):
        expand_prompt("", -1, 16)
    with pytest.raises(PromptError, match="string"):
        expand_prompt(None, 0, 16)


# --- check_budget ---

def test_check_budget_message_has_the_numbers():
    with pytest.raises(PromptError) as info:
        check_budget(40, 2, 256, 512)
    assert "2 images × 256 tokens + 40 text tokens = 552 > prefix length 512" in str(info.value)
    with pytest.raises(PromptError, match="1 image × 256 tokens \\+ 257 text tokens = 513 > prefix length 512"):
        check_budget(257, 1, 256, 512)


def test_check_budget_accepts_an_exact_fit():
    assert check_budget(256, 1, 256, 512) == 512
    assert check_budget(5, 0, 256, 512) == 5


# --- templates ---

def test_templates_match_mentor_training_prompts():
    assert render_template("subject_driven", subject="dog", caption="A dog on the beach.") == \
        "The dog in <image>.\nA dog on the beach."
    assert render_template("multi_object", objects=["dog", "hat"], caption="A dog wearing a hat.") == \
        "The dog in <image>.\nThe hat in <image>.\nA dog wearing a hat."
    assert render_template("reconstruction", caption="A red car.") == "The image is <image>\nA red car."
    assert render_template("image_reconstruction") == "<image>\n"
    assert render_template("segmentation", object="cat") == "The cat in <image>."
    assert render_template("text_to_image", caption="A cat in <image> the snow.") == "A cat in  the snow."


def test_every_template_renders_with_its_image_count():
    samples = {"subject": "dog", "caption": "A dog {with braces}.", "object": "cat", "objects": ["a", "b", "c"]}
    expected_images = {"subject_driven": 1, "multi_object": 3, "reconstruction": 1,
                       "image_reconstruction": 1, "segmentation": 1, "text_to_image": 0}
    assert set(TASK_TEMPLATES) == set(expected_images)
    for task, template in TASK_TEMPLATES.items():
        fields = {name: samples[name] for name in template.fields}
        text = render_template(task, **fields)
        assert template_images(task, **fields) == expected_images[task]
        assert "{" not in text.replace("{with braces}", "")  # values are inserted verbatim
        expand_prompt(text, expected_images[task], 2)  # the rendered prompt expands cleanly


def test_template_errors():
    with pytest.raises(PromptError, match="unknown task"):
        render_template("inpainting", caption="x")
    with pytest.raises(PromptError, match="missing \\['caption'\\]"):
        render_template("subject_driven", subject="dog")
    with pytest.raises(PromptError, match="unexpected \\['style'\\]"):
        render_template("segmentation", object="cat", style="x")
    with pytest.raises(PromptError, match="objects"):
        render_template("multi_object", objects="dog", caption="x")
    with pytest.raises(PromptError, match="must not contain <image>"):
        render_template("subject_driven", subject="<image>", caption="x")


# --- encode_prompt ---

def test_encode_prompt_layout(tok):
    image_id = image_token_id(tok)
    ids, mask = encode_prompt(tok, "A cat in <image>.\nA cat in the snow", 1, 16, 64, image_id)
    assert ids.dtype == np.int64 and mask.dtype == np.int64 and ids.shape == mask.shape == (64,)
    n = int(mask.sum())
    assert mask[:n].all() and not mask[n:].any()  # right padding
    assert (ids[n:] == 0).all()
    assert ids[n - 1] == 1  # </s> from the post-processor
    assert (ids == image_id).sum() == 16
    run = np.flatnonzero(ids == image_id)
    assert (np.diff(run) == 1).all()
    # Same ids as the tokenizer itself gives for the expanded text.
    expected = tok.encode("A cat in " + "<image>" * 16 + ".\nA cat in the snow").ids
    assert ids[:n].tolist() == expected


def test_encode_prompt_errors_instead_of_truncating(tok):
    image_id = image_token_id(tok)
    text = "The dog in <image>.\nThe cat in <image>.\n" + "A very long caption. " * 3
    total = len(tok.encode(expand_prompt(text, 2, 16)).ids)
    assert total > 40
    message = f"2 images × 16 tokens \\+ {total - 32} text tokens = {total} > prefix length 40"
    with pytest.raises(PromptError, match=message):
        encode_prompt(tok, text, 2, 16, 40, image_id)
    ids, mask = encode_prompt(tok, text, 2, 16, total, image_id)
    assert (ids == image_id).sum() == 32 and mask.all()


def test_encode_prompt_exact_fit(tok):
    image_id = image_token_id(tok)
    prompt = "The cat in <image>."
    n = len(tok.encode(expand_prompt(prompt, 1, 16)).ids)
    ids, mask = encode_prompt(tok, prompt, 1, 16, n, image_id)
    assert mask.all()
    with pytest.raises(PromptError, match=f"= {n} > prefix length {n - 1}"):
        encode_prompt(tok, prompt, 1, 16, n - 1, image_id)


def test_encode_prompt_ignores_the_tokenizers_own_padding_and_truncation(tok):
    image_id = image_token_id(tok)
    configured = Tokenizer.from_str(tok.to_str())
    configured.enable_truncation(max_length=8)
    configured.enable_padding(pad_id=0, pad_token="<pad>", length=100)
    ids, mask = encode_prompt(configured, "A cat in <image>.", 1, 16, 64, image_id)
    assert (ids == image_id).sum() == 16 and mask.sum() < 64
    assert configured.truncation is not None  # the caller's tokenizer is left as it was


def test_encode_prompt_checks_the_image_token_count(tok):
    with pytest.raises(PromptError, match="image tokens"):
        encode_prompt(tok, "A cat in <image>.", 1, 16, 64, image_token_id=3)
    with pytest.raises(PromptError, match="markers?"):
        encode_prompt(tok, "A cat in <image>.", 2, 16, 64, image_token_id(tok))
