"""Prompts with image markers: expansion, MENTOR's task templates, the prefix budget, encoding.

MENTOR (spec/mentor-model.md §2.3, §4.2) writes one `<image>` marker per reference image; each is
expanded to `tokens_per_image` copies of the `<image>` token (256 for the CLIP/llava connector,
16 for the tiny models), whose embedding rows are later overwritten by that image's features in
order. The whole tokenized prompt, `</s>` included, must fit the prefix (`cls_token_num`, 512).
MENTOR's processor silently truncates an over-long prompt, which cuts image placeholders and then
misaligns the features; here that is an error with the numbers in it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer

IMAGE_TOKEN = "<image>"  # the tokenizer's special token (tiny_tokenizer.IMAGE_TOKEN, FlanT5 id 32100)
PAD_ID = 0


class PromptError(ValueError):
    """A prompt that cannot be encoded as asked; the message says why, with the numbers."""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def expand_prompt(prompt: str, n_images: int, tokens_per_image: int, marker: str = IMAGE_TOKEN) -> str:
    """Replaces each `marker` with `tokens_per_image` copies of the `<image>` token text.

    The number of markers must equal `n_images`. Copies are joined with nothing between them, as
    MENTOR's dataset does (`"<image>" * 256`); the tokenizer splits them as special tokens.
    """
    if not isinstance(prompt, str):
        raise PromptError(f"prompt must be a string, got {type(prompt).__name__}")
    if not marker:
        raise PromptError("marker must be a non-empty string")
    for name, value, low in (("n_images", n_images, 0), ("tokens_per_image", tokens_per_image, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise PromptError(f"{name} must be an integer >= {low}, got {value!r}")
    n_markers = prompt.count(marker)
    if n_markers != n_images:
        raise PromptError(
            f"the prompt has {_plural(n_markers, marker + ' marker')} but {_plural(n_images, 'image')} "
            f"{'was' if n_images == 1 else 'were'} given; write one {marker} per reference image"
        )
    if marker != IMAGE_TOKEN and IMAGE_TOKEN in prompt:
        raise PromptError(f"the prompt contains the literal text {IMAGE_TOKEN}, which is reserved "
                          f"for image tokens (markers here are {marker!r})")
    return prompt.replace(marker, IMAGE_TOKEN * tokens_per_image)


def check_budget(n_text_tokens: int, n_images: int, tokens_per_image: int, prefix_len: int) -> int:
    """Total prefix tokens of a prompt; PromptError when it does not fit `prefix_len`.

    `n_text_tokens` counts every non-image token, `</s>` included.
    """
    image_tokens = n_images * tokens_per_image
    total = image_tokens + n_text_tokens
    if total > prefix_len:
        raise PromptError(
            f"prompt too long: {_plural(n_images, 'image')} × {tokens_per_image} tokens + "
            f"{n_text_tokens} text tokens = {total} > prefix length {prefix_len}"
        )
    return total


# --- MENTOR's training prompts (spec/mentor-model.md §4.2; M:dataset/t2i.py _process_text_info) ---

@dataclass(frozen=True)
class TaskTemplate:
    text: str                     # str.format text with <image> markers
    fields: tuple[str, ...]       # the keyword arguments render_template needs
    description: str


TASK_TEMPLATES: dict[str, TaskTemplate] = {
    "subject_driven": TaskTemplate(
        "The {subject} in <image>.\n{caption}", ("subject", "caption"),
        "stage 2 subject-driven generation (also image recovery): the subject from one reference"),
    "multi_object": TaskTemplate(
        "{object_lines}{caption}", ("objects", "caption"),
        "one 'The {o} in <image>.' line per object, then the caption; `objects` is a list"),
    "reconstruction": TaskTemplate(
        "The image is <image>\n{caption}", ("caption",),
        "stage 1 reconstruction of the reference image, with its caption"),
    "image_reconstruction": TaskTemplate(
        "<image>\n", (),
        "stage 1 image-only reconstruction (no text)"),
    "segmentation": TaskTemplate(
        "The {object} in <image>.", ("object",),
        "stage 1/2 segmentation: generate only the named object of the reference"),
    "text_to_image": TaskTemplate(
        "{caption}", ("caption",),
        "plain text-to-image; no reference image, markers in the caption are removed"),
}


def render_template(task: str, **fields: str | list[str]) -> str:
    """The prompt MENTOR was trained with for `task`, with `<image>` markers (not yet expanded).

    >>> render_template("subject_driven", subject="dog", caption="A dog on the beach.")
    'The dog in <image>.\\nA dog on the beach.'
    """
    if task not in TASK_TEMPLATES:
        raise PromptError(f"unknown task {task!r}; known: {', '.join(TASK_TEMPLATES)}")
    template = TASK_TEMPLATES[task]
    missing = [f for f in template.fields if f not in fields]
    extra = [f for f in fields if f not in template.fields]
    if missing or extra:
        raise PromptError(f"task {task!r} takes fields {list(template.fields)}; "
                          f"missing {missing}, unexpected {extra}")
    if "objects" in fields:
        objects = fields["objects"]
        if not isinstance(objects, (list, tuple)) or not objects:
            raise PromptError("objects must be a non-empty list of names")
        texts = {f"objects[{i}]": name for i, name in enumerate(objects)}
        texts["caption"] = fields["caption"]
    else:
        texts = dict(fields)
    for name, value in texts.items():
        if not isinstance(value, str):
            raise PromptError(f"{name} must be text, got {type(value).__name__}")
        if IMAGE_TOKEN in value and task != "text_to_image":
            raise PromptError(f"{name} must not contain {IMAGE_TOKEN}: the template places the markers")

    if task == "multi_object":
        lines = "".join(f"The {name} in {IMAGE_TOKEN}.\n" for name in fields["objects"])
        return template.text.format(object_lines=lines, caption=fields["caption"])
    if task == "text_to_image":
        return template.text.format(caption=str(fields["caption"]).replace(IMAGE_TOKEN, ""))
    return template.text.format(**texts)


def template_images(task: str, **fields: str | list[str]) -> int:
    """How many reference images the rendered prompt expects (its marker count)."""
    return render_template(task, **fields).count(IMAGE_TOKEN)


# --- encoding ---

def encode_prompt(
    tokenizer: Tokenizer,
    prompt: str,
    n_images: int,
    tokens_per_image: int,
    prefix_len: int,
    image_token_id: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and mask for the text encoder: int64 [prefix_len] each, right-padded with 0.

    `</s>` comes from the tokenizer's post-processor. Over-long prompts are an error, not
    truncated. The count of `image_token_id` in the ids must be n_images × tokens_per_image
    (it is not when the tokenizer lacks `<image>` as a special token).
    """
    if isinstance(prefix_len, bool) or not isinstance(prefix_len, int) or prefix_len < 1:
        raise PromptError(f"prefix_len must be a positive integer, got {prefix_len!r}")
    expanded = expand_prompt(prompt, n_images, tokens_per_image)
    if tokenizer.truncation is not None or tokenizer.padding is not None:
        # Both would change the ids silently; work on a copy rather than mutating the caller's.
        tokenizer = Tokenizer.from_str(tokenizer.to_str())
        tokenizer.no_truncation()
        tokenizer.no_padding()
    ids = tokenizer.encode(expanded, add_special_tokens=True).ids

    n_image_ids = sum(1 for i in ids if i == image_token_id)
    expected = n_images * tokens_per_image
    if n_image_ids != expected:
        raise PromptError(
            f"the tokenized prompt has {n_image_ids} image tokens (id {image_token_id}), expected "
            f"{_plural(n_images, 'image')} × {tokens_per_image} = {expected}; is {IMAGE_TOKEN} a "
            f"special token of this tokenizer?"
        )
    check_budget(len(ids) - n_image_ids, n_images, tokens_per_image, prefix_len)

    input_ids = np.full(prefix_len, PAD_ID, dtype=np.int64)  # [prefix_len]
    attention_mask = np.zeros(prefix_len, dtype=np.int64)  # [prefix_len]
    input_ids[: len(ids)] = ids
    attention_mask[: len(ids)] = 1
    return input_ids, attention_mask
