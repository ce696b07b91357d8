import hashlib
import json
import os
import subprocess
import sys

import pytest
from tokenizers import Tokenizer

from mentor_models.tiny_tokenizer import (
    DEFAULT_CORPUS,
    EOS_ID,
    IMAGE_TOKEN,
    PAD_ID,
    UNK_ID,
    _canonical_pieces,
    image_token_id,
    train_tiny_tokenizer,
)


@pytest.fixture(scope="module")
def tok():
    return train_tiny_tokenizer(DEFAULT_CORPUS, vocab_size=512)


def test_default_corpus_is_prompt_sized():
    words = sum(len(line.split()) for line in DEFAULT_CORPUS)
    assert 1000 < words < 5000
    assert not any(IMAGE_TOKEN in line for line in DEFAULT_CORPUS)


def test_special_token_layout(tok):
    assert tok.token_to_id("<pad>") == PAD_ID == 0
    assert tok.token_to_id("</s>") == EOS_ID == 1
    assert tok.token_to_id("<unk>") == UNK_ID == 2
    # The default corpus fills the vocabulary exactly; <image> takes the last id.
    assert tok.get_vocab_size() == 512
    assert image_token_id(tok) == 511
    config = json.loads(tok.to_str())
    assert config["padding"]["pad_id"] == 0
    assert [n["type"] for n in config["normalizer"]["normalizers"]] == ["NFKC", "Replace"]
    assert config["pre_tokenizer"]["type"] == "Metaspace"
    assert config["post_processor"]["type"] == "TemplateProcessing"
    assert config["model"]["type"] == "Unigram"
    assert "Nmt" not in tok.to_str()  # the JS port lacks it (design.md §9)
    specials = {t["content"] for t in config["added_tokens"] if t["special"]}
    assert specials == {"<pad>", "</s>", "<unk>", IMAGE_TOKEN}


def test_image_token_is_one_id_next_to_punctuation(tok):
    image_id = image_token_id(tok)
    for text in ["in <image>.", "in<image>.", "(<image>)", "<image>,<image>!", "The dog in <image>.\nA dog"]:
        enc = tok.encode(text)
        assert enc.ids.count(image_id) == text.count(IMAGE_TOKEN), (text, enc.tokens)
        assert enc.tokens.count(IMAGE_TOKEN) == text.count(IMAGE_TOKEN)
    # Expanded placeholders stay one id each, back to back.
    enc = tok.encode("A cat in " + IMAGE_TOKEN * 16 + ".")
    run = [i for i, t in enumerate(enc.ids) if t == image_id]
    assert len(run) == 16 and run == list(range(run[0], run[0] + 16))


def test_eos_is_appended(tok):
    ids = tok.encode("A red vase on a table.").ids
    assert ids[-1] == EOS_ID and ids.count(EOS_ID) == 1
    assert tok.encode("A red vase", add_special_tokens=False).ids[-1] != EOS_ID
    assert tok.encode("").ids == [EOS_ID]


def test_whitespace_is_normalized(tok):
    base = tok.encode("A cat in the snow").ids
    assert tok.encode("A cat\nin the snow").ids == base
    assert tok.encode("A  cat \n\t in the   snow").ids == base
    assert tok.encode("The dog in <image>.\nA dog").ids == tok.encode("The dog in <image>. A dog").ids
    assert tok.encode("ﬁre").ids == tok.encode("fire").ids  # NFKC folds the ligature
    assert tok.decode(base) == "A cat in the snow"


def test_unknown_characters_map_to_unk(tok):
    assert UNK_ID in tok.encode("A 猫").ids


def test_vocab_size_is_respected():
    for size in (64, 200, 300):
        t = train_tiny_tokenizer(DEFAULT_CORPUS, vocab_size=size)
        assert t.get_vocab_size() == size
        assert image_token_id(t) == size - 1
    small = train_tiny_tokenizer(list(DEFAULT_CORPUS[:5]), vocab_size=1000)
    assert small.get_vocab_size() <= 1000  # a tiny corpus gives fewer pieces, never more


def test_deterministic_bytes_in_process_and_across_processes(tok):
    text = tok.to_str()
    assert train_tiny_tokenizer(list(DEFAULT_CORPUS), vocab_size=512).to_str() == text
    # The trainer iterates hash maps seeded per process (see tiny_tokenizer._canonical_pieces):
    # a second process with other hash seeds and thread counts must write the same bytes.
    code = ("import hashlib; from mentor_models.tiny_tokenizer import DEFAULT_CORPUS, train_tiny_tokenizer; "
            "print(hashlib.sha256(train_tiny_tokenizer(DEFAULT_CORPUS, 512).to_str().encode()).hexdigest())")
    env = dict(os.environ, PYTHONHASHSEED="7", RAYON_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == hashlib.sha256(text.encode()).hexdigest()


def test_canonical_pieces_undo_the_trainers_hash_order():
    # What two processes can produce: EM scores that differ in the last bits, and the re-added
    # characters' scores (min, min + 1e-4, ...) dealt out in different orders.
    em = [("▁a", -2.5), ("bc", -3.25), ("x", -4.0), ("▁", -1.0)]
    lowest = -9.0
    first = em + [("z", lowest), ("q", lowest + 1e-4), ("v", lowest + 2e-4)]
    second = [(p, s * (1 + 1e-15)) for p, s in em] + [("v", lowest), ("z", lowest + 1e-4), ("q", lowest + 2e-4)]
    assert _canonical_pieces(first) == _canonical_pieces(second)
    assert [p for p, _ in _canonical_pieces(first)] == ["▁", "▁a", "bc", "x", "q", "v", "z"]


def test_round_trips_through_json(tok):
    again = Tokenizer.from_str(tok.to_str())
    text = "The backpack in <image>.\nA backpack on a snowy mountain, watercolor."
    assert again.encode(text).ids == tok.encode(text).ids


def test_bad_arguments():
    with pytest.raises(ValueError, match="vocab_size"):
        train_tiny_tokenizer(DEFAULT_CORPUS, 4)
    for too_small in (8, 40):  # the default corpus alone has ~46 distinct characters
        with pytest.raises(ValueError, match="vocab_size"):
            train_tiny_tokenizer(DEFAULT_CORPUS, too_small)
    with pytest.raises(ValueError, match="corpus"):
        train_tiny_tokenizer([], 100)
    with pytest.raises(ValueError, match="<image>"):
        train_tiny_tokenizer(["a cat in <image>"], 100)
    with pytest.raises(ValueError, match="<image>"):
        image_token_id(Tokenizer.from_str(train_tiny_tokenizer(DEFAULT_CORPUS, 100).to_str().replace(
            '"<image>"', '"<picture>"')))
