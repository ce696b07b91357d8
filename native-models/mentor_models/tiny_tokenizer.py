"""A tiny Unigram tokenizer for tests and the tiny bundle, shaped like MENTOR's FlanT5 tokenizer.

The real tokenizer (Salesforce/blip2-flan-t5-xl, spec/mentor-model.md §2.3) is a SentencePiece
Unigram model with `<pad>`=0, `</s>`=1, `<unk>`=2, `</s>` appended to every prompt and `<image>`
added as a special token. This one keeps that shape at a few hundred pieces, trained on a small
built-in corpus, so tests and the tiny ONNX bundle exercise the same code paths.

Normalizer: NFKC then whitespace runs -> one space. Not `Nmt`: `@huggingface/tokenizers` (the
app's JS port) does not implement it (design.md §9), and this tokenizer.json must load there.
Metaspace uses `prepend_scheme="always"`, which is what transformers' converter picks for T5's
legacy SentencePiece tokenizer: the text after an `<image>` token starts with "▁", as expected of
FlanT5 (spec/mentor-model.md §8 item 3 has the real tokenizer checked).
"""

from __future__ import annotations

import json

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

PAD_TOKEN, EOS_TOKEN, UNK_TOKEN = "<pad>", "</s>", "<unk>"
IMAGE_TOKEN = "<image>"
SPECIAL_TOKENS = (PAD_TOKEN, EOS_TOKEN, UNK_TOKEN)  # ids 0, 1, 2, as in T5
PAD_ID, EOS_ID, UNK_ID = 0, 1, 2
METASPACE = "\u2581"
# Piece scores are rounded to this many decimals (see train_tiny_tokenizer for why).
SCORE_DECIMALS = 8
# The score step between characters the trainer re-adds after EM (UnigramTrainer::finalize).
REQUIRED_CHAR_STEP = 1e-4

# Prompt-like sentences about subjects, styles, colours and objects, in the shapes MENTOR sees
# (spec/mentor-model.md §4.2). Written for this project. Never contains "<image>": that is added
# as a special token after training, not learned as pieces.
_SENTENCES: tuple[str, ...] = (
    "A cat in a 16-bit fantasy pixel-art scene.",
    "A cat wearing a red hat, sitting on a wooden chair by the window.",
    "A small brown dog running on the beach at sunset.",
    "The dog in the picture is sleeping on a blue blanket.",
    "A teddy bear floating in a swimming pool, bright summer light.",
    "A backpack on top of a snowy mountain, with clouds below.",
    "A vase of yellow flowers on a kitchen table, oil painting.",
    "A red sneaker on a white background, product photo.",
    "A robot toy standing in a field of purple lavender.",
    "A wolf plushie in the jungle, watercolor style.",
    "A colorful clock hanging on a brick wall in a quiet street.",
    "The image is a photo of a green teapot on a wooden shelf.",
    "The image is a landscape with rolling hills and a river.",
    "The cat in the photo, drawn as a pencil sketch.",
    "The dog in a cozy living room, next to a fireplace.",
    "The vase in a museum, lit by a single spotlight.",
    "The backpack in the city at night, with neon lights.",
    "The robot in a Van Gogh style painting with swirling stars.",
    "A portrait of a young woman with curly black hair, soft studio lighting.",
    "An old man reading a newspaper in a busy cafe.",
    "A golden retriever puppy playing with an orange ball on the grass.",
    "A silver car parked in front of a modern glass building.",
    "A bowl of ramen with eggs and green onions, top view.",
    "A cup of coffee with latte art on a marble counter.",
    "A lighthouse on a rocky cliff during a storm, dramatic waves.",
    "A castle made of candy in a pink and white world.",
    "A sunflower field under a clear blue sky, wide angle.",
    "A pair of round glasses resting on an open book.",
    "A bicycle leaning against a fence covered in ivy.",
    "A cartoon fox wearing a green scarf in the snow.",
    "An astronaut riding a horse on the moon, digital art.",
    "A wooden cabin in a pine forest, morning fog.",
    "A bright red apple on a black table, minimalist photo.",
    "A stuffed rabbit on a bed with white sheets.",
    "A glass bottle filled with sand and tiny shells.",
    "A dragon made of paper flying over a paper city.",
    "A chocolate cake with strawberries, bakery window display.",
    "A black and white photo of a train station in the rain.",
    "A 3D render of a cute monster with big eyes and purple fur.",
    "An anime style girl holding an umbrella in the rain.",
    "A watercolor painting of a harbor with small boats.",
    "A mug with a cat face printed on it, on a desk near a laptop.",
    "A pink flamingo standing in shallow turquoise water.",
    "A silver watch on a leather strap, close-up, shallow depth of field.",
    "A pile of autumn leaves in orange, red and brown.",
    "A cute penguin wearing sunglasses on a surfboard.",
    "A medieval knight in shining armor, oil on canvas.",
    "A desert at dusk with a single cactus and long shadows.",
    "A colorful hot air balloon over green valleys.",
    "A toy train on wooden tracks around a christmas tree.",
    "The sneaker in a comic book style, bold outlines and halftone dots.",
    "The teddy bear on the moon, with the earth in the sky.",
    "The clock in a surreal landscape, melting like cheese.",
    "The cat and the dog sitting together on a sofa.",
    "A white horse galloping through a misty meadow.",
    "A bowl of fruit with grapes, pears and a banana, still life.",
    "A neon sign that says open, glowing at night.",
    "A children's drawing of a house with a sun and a tree.",
    "A stained glass window with blue and gold patterns.",
    "A close-up of a dew drop on a green leaf, macro photo.",
    "A cyberpunk street with flying cars and holograms.",
    "A low poly model of a mountain with a lake.",
    "A marble statue of a lion in a garden.",
    "A vintage camera on a wooden table, film grain.",
    "A plate of sushi on a bamboo mat, soft light.",
    "A goldfish in a round bowl on a windowsill.",
    "A snowman with a carrot nose and a red scarf.",
    "A sketch of a sailboat in blue ink on yellow paper.",
    "A purple dinosaur toy on a playground slide.",
    "Two kittens sleeping in a basket of yarn.",
)

# Word lists for generated lines ("A {colour} {subject} {scene}, {style}." and
# "A {adjective} {subject} with a {adjective} {subject} {scene}."): they use every word in several
# contexts, which gives the Unigram trainer enough recurring pieces to fill 512 ids.
_COLOURS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black",
            "white", "grey", "golden", "silver", "turquoise")
_SUBJECTS = ("cat", "dog", "teddy bear", "backpack", "vase", "sneaker", "robot toy", "clock",
             "teapot", "duck toy", "candle", "wolf plushie", "sloth plushie", "monster toy",
             "sunglasses", "boot", "bowl", "kettle", "guitar", "lamp", "umbrella", "bicycle",
             "owl", "parrot", "turtle", "rabbit", "hamster", "fox", "bear", "elephant", "giraffe",
             "castle", "tower", "bridge", "sailboat", "airplane", "truck", "chair", "sofa",
             "pillow", "hat", "scarf", "necklace", "ring", "book", "lantern", "violin", "piano",
             "helmet", "jacket", "dress", "mirror", "basket", "cushion", "statue", "kite",
             "squirrel", "hedgehog", "octopus", "jellyfish", "butterfly", "dolphin", "tiger",
             "zebra", "koala")
_ADJECTIVES = ("fluffy", "shiny", "tiny", "giant", "ancient", "modern", "happy", "sleepy",
               "curious", "broken", "frozen", "glowing", "wet", "dusty", "furry", "wooden",
               "metal", "plastic", "glass", "paper", "woolen", "velvet", "striped", "spotted",
               "checkered", "rusty", "elegant", "lonely", "playful", "majestic", "fierce",
               "gentle", "colorful", "transparent", "handmade", "futuristic", "medieval",
               "tropical", "magical", "mysterious", "enormous", "polished", "crumpled",
               "embroidered", "weathered", "luminous", "miniature", "knitted", "feathered")
_SCENES = ("on the beach", "in the snow", "in a forest", "on a city street", "in a garden",
           "on a wooden table", "in a kitchen", "on the moon", "under water", "in the desert",
           "on a mountain top", "in a library", "at a train station", "in a classroom",
           "on a rooftop at night", "in the rain", "in a field of flowers", "next to a river",
           "inside a cave", "in space", "on a shelf", "in a shop window", "at a birthday party",
           "in a jungle", "on a boat", "in the clouds", "in front of a castle",
           "on a picnic blanket", "by a lake at sunrise", "in a toy store")
_STYLES = ("photo", "watercolor painting", "oil painting", "pencil sketch", "pixel art",
           "3D render", "anime style", "cartoon", "comic book style", "digital art",
           "vintage photograph", "studio lighting", "cinematic lighting", "low poly",
           "ukiyo-e print", "charcoal drawing", "pop art", "claymation", "origami style",
           "stained glass", "impressionist painting", "isometric view", "macro photo",
           "long exposure", "wide angle", "flat illustration", "neon glow", "soft focus",
           "high detail", "film grain")


def _generated_lines(count: int) -> tuple[str, ...]:
    # Fixed strides through each list, so the corpus is the same on every run.
    def pick(words: tuple[str, ...], i: int, stride: int, offset: int = 0) -> str:
        return words[(stride * i + offset) % len(words)]

    lines = []
    for i in range(count):
        lines.append(f"A {pick(_COLOURS, i, 3)} {pick(_SUBJECTS, i, 1)} {pick(_SCENES, i, 7)}, "
                     f"{pick(_STYLES, i, 11)}.")
        lines.append(f"A {pick(_ADJECTIVES, i, 3)} {pick(_SUBJECTS, i, 5)} with a "
                     f"{pick(_ADJECTIVES, i, 7, 1)} {pick(_SUBJECTS, i, 11, 2)} {pick(_SCENES, i, 13)}.")
    return tuple(lines)


DEFAULT_CORPUS: tuple[str, ...] = _SENTENCES + _generated_lines(120)


def _with_pipeline(tokenizer: Tokenizer) -> Tokenizer:
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.NFKC(),
        normalizers.Replace(Regex(r"\s+"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always")
    return tokenizer


def _canonical_pieces(pieces: list[tuple[str, float]]) -> list[tuple[str, float]]:
    # The re-added characters: single characters whose score is the minimum plus a whole number
    # of 1e-4 steps (UnigramTrainer::finalize in huggingface/tokenizers).
    lowest = min(score for _, score in pieces)
    steps = {piece: (score - lowest) / REQUIRED_CHAR_STEP for piece, score in pieces if len(piece) == 1}
    added = sorted(p for p, n in steps.items() if abs(n - round(n)) < 1e-6 and round(n) < len(steps))
    scores = dict(pieces)
    for piece, score in zip(added, sorted((scores[p] for p in added), reverse=True)):
        scores[piece] = score
    rounded = ((piece, round(score, SCORE_DECIMALS)) for piece, score in scores.items())
    return sorted(rounded, key=lambda item: (-item[1], item[0]))


def train_tiny_tokenizer(corpus: list[str] | tuple[str, ...], vocab_size: int) -> Tokenizer:
    """Trains the Unigram tokenizer on `corpus`; its full vocabulary, `<image>` included, is at
    most `vocab_size` (exactly that when the corpus has enough distinct pieces).

    Deterministic: the same corpus and size give the same `tokenizer.to_str()` bytes.
    """
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 8:
        raise ValueError(f"vocab_size must be an integer >= 8, got {vocab_size!r}")
    if not corpus or not all(isinstance(line, str) for line in corpus):
        raise ValueError("corpus must be a non-empty list of strings")
    if any(IMAGE_TOKEN in line for line in corpus):
        raise ValueError(f"corpus lines must not contain {IMAGE_TOKEN}: it is added as a special token")

    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size - 1,  # one id left for <image>
        special_tokens=list(SPECIAL_TOKENS),
        unk_token=UNK_TOKEN,
        show_progress=False,
    )
    scratch = _with_pipeline(Tokenizer(models.Unigram()))
    try:
        scratch.train_from_iterator(list(corpus), trainer=trainer)
    except Exception as error:  # tokenizers raises a bare Exception
        if "not large enough" not in str(error):
            raise
        raise ValueError(f"vocab_size {vocab_size} cannot hold every distinct character of the corpus "
                         f"plus the 4 special tokens ({error})") from error
    trained = json.loads(scratch.to_str())["model"]["vocab"]  # [[piece, log-prob], ...]

    # The trainer iterates hash maps whose order changes per process: the EM sums differ in their
    # last bits, and required characters the EM dropped are re-added with scores min, min + 1e-4,
    # min + 2e-4, ... in hash order. Giving those scores to the characters in code-point order,
    # rounding all scores and sorting by (score, piece) makes the file a function of the corpus.
    specials = [(token, 0.0) for token in SPECIAL_TOKENS]
    pieces = _canonical_pieces([(p, s) for p, s in trained if p not in SPECIAL_TOKENS])
    tokenizer = _with_pipeline(Tokenizer(models.Unigram(specials + pieces, unk_id=UNK_ID, byte_fallback=False)))
    tokenizer.add_special_tokens([*SPECIAL_TOKENS, IMAGE_TOKEN])
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"$A {EOS_TOKEN}",
        pair=f"$A {EOS_TOKEN} $B {EOS_TOKEN}",
        special_tokens=[(EOS_TOKEN, EOS_ID)],
    )
    tokenizer.enable_padding(pad_id=PAD_ID, pad_token=PAD_TOKEN)

    if tokenizer.get_vocab_size() > vocab_size:  # the trainer keeps every character of the corpus
        raise ValueError(f"vocab_size {vocab_size} is below the {tokenizer.get_vocab_size()} ids this corpus "
                         f"needs (every distinct character, the special tokens and {IMAGE_TOKEN})")
    for token, expected in ((PAD_TOKEN, PAD_ID), (EOS_TOKEN, EOS_ID), (UNK_TOKEN, UNK_ID)):
        got = tokenizer.token_to_id(token)
        if got != expected:  # the T5 layout the encoder and the prompt code rely on
            raise RuntimeError(f"{token} got id {got}, expected {expected}")
    return tokenizer


def image_token_id(tokenizer: Tokenizer) -> int:
    """The id of the `<image>` placeholder token; an error if the tokenizer lacks it."""
    token_id = tokenizer.token_to_id(IMAGE_TOKEN)
    if token_id is None:
        raise ValueError(f"the tokenizer has no {IMAGE_TOKEN} token: add it as a special token")
    return token_id
