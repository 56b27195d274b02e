"""The torch / transformers adapter with a tiny random GPT-2 (no downloads)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="torch not installed: pip install torch==2.13.0")
transformers = pytest.importorskip("transformers", reason="transformers not installed: pip install transformers")

from ltlagent.decoders.hf import SpecDecoder, SpecLogitsProcessor, resolve_device  # noqa: E402
from tests.decoders.helpers import compiled, index_for  # noqa: E402
from tests.decoders.tokenizers_fixture import byte_level_tokenizer  # noqa: E402


def tiny_gpt2(vocab_size: int, seed: int = 0):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=vocab_size, n_positions=4096, n_embd=64, n_layer=2, n_head=2, bos_token_id=0, eos_token_id=0)
    return GPT2LMHeadModel(config).eval()


@pytest.mark.parametrize("name", ["react", "tool_calling", "giot"])
def test_decoder_loop_produces_accepted_traces_and_reuses_the_cache(name):
    tok = byte_level_tokenizer()
    index = index_for(name, "bytelevel")
    dec = SpecDecoder(tiny_gpt2(len(tok)), tok, index, device="cpu", max_tokens=24)
    for seed in range(3):
        dec.start("Follow the format.\n")
        fed = len(tok.encode("Follow the format.\n"))
        generator = torch.Generator().manual_seed(seed)
        turns = 0
        while not dec.is_finished:
            if dec.guide.status == "environment":
                text = dec.feed_environment("yes" if dec.guide.waiting_for == "reply" else "42")
                fed += len(tok.encode(text, add_special_tokens=False))
                continue
            turn = dec.generate(400, temperature=1.0, generator=generator)
            assert turn.status in ("environment", "finished"), turn
            turns += 1
            assert turns < 40
        assert compiled(name).check_text(dec.guide.text).ok
        # KV cache kept: only the prompt and environment text were ever prefilled
        assert dec.prefill_tokens == fed


def test_logits_processor_with_generate_batched():
    tok = byte_level_tokenizer()
    index = index_for("react", "bytelevel")
    model = tiny_gpt2(len(tok), seed=1)
    proc = SpecLogitsProcessor(index, max_tokens=20, prefix="Question: what is 2 + 2?\n")
    prompt = tok(["Question: what is 2 + 2?\n"] * 4, return_tensors="pt")
    torch.manual_seed(3)
    out = model.generate(**prompt, logits_processor=[proc], max_new_tokens=200, do_sample=True, pad_token_id=1, eos_token_id=0)
    guides = proc.sync(out)
    assert len(guides) == 4
    for g in guides:
        assert g.status in ("environment", "finished"), (g.status, g.error)
        if g.status == "finished":
            assert compiled("react").check_text(g.text).ok
        else:
            assert g.waiting_for == "observation" and g.text.endswith("Observation: ")


def test_batched_and_unbatched_give_the_same_tokens():
    """Same random scores row by row: the batched processor masks each row exactly as a
    one-row processor does."""
    index = index_for("react", "bytelevel")
    batch, vocab = 3, index.vocab_size
    gen = torch.Generator().manual_seed(7)
    batched = SpecLogitsProcessor(index, max_tokens=15, prefix="Question: q\n")
    singles = [SpecLogitsProcessor(index, max_tokens=15, prefix="Question: q\n") for _ in range(batch)]
    ids = torch.zeros((batch, 1), dtype=torch.long)
    for _ in range(60):
        scores = torch.randn((batch, vocab), generator=gen)
        masked = batched(ids, scores.clone())
        picks = torch.argmax(masked, dim=-1)
        for b in range(batch):
            one = singles[b](ids[b : b + 1], scores[b : b + 1].clone())
            assert torch.equal(torch.isinf(one[0]), torch.isinf(masked[b]))
            assert int(torch.argmax(one, dim=-1)) == int(picks[b])
        ids = torch.cat([ids, picks[:, None]], dim=1)
    for g, s in zip(batched.sync(ids), [p.sync(ids[b : b + 1]) for b, p in enumerate(singles)], strict=True):
        assert g.text == s[0].text


def test_rows_that_are_done_may_only_emit_eos():
    index = index_for("direct", "bytelevel")
    proc = SpecLogitsProcessor(index, prefix="Question: q\n")
    tok = byte_level_tokenizer()
    ids = torch.tensor([[0] + tok.encode("Answer: 4\n", add_special_tokens=False) + [0]])
    scores = torch.zeros((1, index.vocab_size))
    proc(ids[:, :1], scores.clone())
    out = proc(ids, scores.clone())
    assert proc.guides[0].is_finished
    assert torch.isfinite(out[0]).nonzero().flatten().tolist() == list(index.eos_ids)


def test_device_auto_picks_cpu_without_cuda():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device: run on a GPU machine (pytest -m gpu)")
def test_gpu_decoder_loop():
    tok = byte_level_tokenizer()
    index = index_for("react", "bytelevel")
    dec = SpecDecoder(tiny_gpt2(len(tok)), tok, index, device="cuda", max_tokens=24)
    dec.start("Follow the format.\n")
    dec.feed_environment("What is 2 + 2?")
    generator = torch.Generator(device="cuda").manual_seed(0)
    while not dec.is_finished:
        if dec.guide.status == "environment":
            dec.feed_environment("4")
            continue
        dec.generate(400, temperature=1.0, generator=generator)
    assert dec._tables.only_eos.device.type == "cuda"
    assert compiled("react").check_text(dec.guide.text).ok
