#!/usr/bin/env python3
"""Reference head-detector scores from TransformerLens's own `detect_head`, for the Java attention tools.

Writes `runtime/src/test/resources/reference/tools/attention/<case>.safetensors` for the GPT-2 checkpoint
`models/gpt2-tiny` (case `gpt2-tiny`) and the LLaMA-style GQA checkpoint
`runtime/src/test/resources/reference/llama-gqa` (case `llama-gqa`), loaded unprocessed by `tl_models.load`.

Format of each file (all little-endian, as safetensors is):
- `tokens`: int64 `[batch, seq]` — every row is a random start token, then 10 random tokens, then the same 10
  again (so induction and duplicate patterns exist), numpy seed 13; seq = 21 < n_ctx as `detect_head` requires.
- `<head>/<measure>/bos<0|1>/current<0|1>`: float32 `[n_layers, n_heads]` — `detect_head(model, row, head,
  exclude_bos=..., exclude_current_token=..., error_measure=...)` run on each row alone and averaged over the rows,
  for head in previous_token_head, duplicate_token_head, induction_head and measure in mul, abs.

Why per row: `detect_head` tokenises strings; these random ids have no string that round-trips, so the script gives
the model a `to_tokens` that returns the row's ids and leaves everything else to TransformerLens. It averages per
row itself because `detect_head` given a list of sequences drops `exclude_bos`, `exclude_current_token` and
`error_measure` when it recurses (TransformerLens 3.2.1); with the options at their defaults both agree, which the
script checks. TransformerLens rounds the "abs" score to 3 decimals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from transformer_lens.head_detector import HEAD_NAMES, detect_head

import tl_models

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "gpt2-tiny": ROOT / "models/gpt2-tiny",
    "llama-gqa": ROOT / "runtime/src/test/resources/reference/llama-gqa",
}
OUT = ROOT / "runtime/src/test/resources/reference/tools/attention"
ROWS, REPEATED = 3, 10


def repeated_random_tokens(vocab: int) -> torch.Tensor:
    rng = np.random.default_rng(13)
    rows = []
    for _ in range(ROWS):
        start = rng.integers(0, vocab, 1)
        half = rng.integers(0, vocab, REPEATED)
        rows.append(np.concatenate([start, half, half]))
    return torch.tensor(np.stack(rows), dtype=torch.int64)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for case, checkpoint in CASES.items():
        model = tl_models.load(checkpoint, processed=False)
        tokens = repeated_random_tokens(model.cfg.d_vocab)
        tensors = {"tokens": tokens.contiguous()}
        for head in HEAD_NAMES:
            for measure in ("mul", "abs"):
                for bos in (False, True):
                    for current in (False, True):
                        per_row = []
                        for row in tokens:
                            model.to_tokens = lambda _seq, row=row: row.unsqueeze(0)
                            per_row.append(detect_head(model, "ids", head, exclude_bos=bos,
                                                       exclude_current_token=current, error_measure=measure))
                        tensors[f"{head}/{measure}/bos{int(bos)}/current{int(current)}"] = \
                            torch.stack(per_row).mean(0).float().contiguous()
        # With default options, TransformerLens's own batch average must agree with ours.
        rows_by_text = {f"row{i}": row for i, row in enumerate(tokens)}
        # given the list, detect_head tokenises it once before recursing and uses nothing of the result
        model.to_tokens = lambda seq: (tokens if isinstance(seq, list) else rows_by_text[seq].unsqueeze(0))
        for head in HEAD_NAMES:
            batched = detect_head(model, list(rows_by_text), head)
            gap = (batched - tensors[f"{head}/mul/bos0/current0"]).abs().max().item()
            assert gap < 1e-6, f"{case} {head}: list average differs by {gap}"
        path = OUT / f"{case}.safetensors"
        save_file(tensors, str(path))
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")
        for head in HEAD_NAMES:
            print(f"  {head} mul:\n{tensors[f'{head}/mul/bos0/current0']}")


if __name__ == "__main__":
    main()
