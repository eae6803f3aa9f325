#!/usr/bin/env python3
"""Reference values of every norm's hook points, from TransformerLens's UNPROCESSED model.

TransformerLens's LayerNorm visits `hook_normalized` on `(x - mean(x)) / hook_scale` and its RMSNorm on
`x / hook_scale`: both before the gain `w` (and the bias `b`), which are applied after the hook. The processed model
(`tl_weights.py`) cannot tell that apart from "after gain and bias", since folding makes the gain ones and the bias
zeros; this file can.

Output: `runtime/src/test/resources/reference/tools/norms/<case>.safetensors`, F32 except `input_ids` (I64):
  input_ids                     [2, 8]         random ids (seed 13)
  logits                        [2, 8, vocab]  the unprocessed model's logits (equal to HF's, checked by the load)
  blocks.{l}.ln1.hook_scale     [2, 8, 1]      and ln2, ln_final likewise
  blocks.{l}.ln1.hook_normalized [2, 8, d_model]

Deterministic (fixed seed, one thread); writes and prints each file's size and sha256.
    python3 tools/reference/tl_norms.py
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tl_models  # noqa: E402
import tl_weights  # noqa: E402

OUT = tl_weights.ROOT / "runtime/src/test/resources/reference/tools/norms"


def norm_hooks(model, input_ids: torch.Tensor) -> dict[str, torch.Tensor]:
    logits, cache = model.run_with_cache(input_ids, names_filter=lambda name: ".hook_scale" in name
                                         or ".hook_normalized" in name)
    out = {"input_ids": input_ids, "logits": logits}
    out.update({name: cache[name] for name in cache.keys()})
    expected = 2 * (2 * model.cfg.n_layers + 1)
    assert len(out) - 2 == expected, f"{len(out) - 2} norm hooks, expected {expected}: {sorted(cache.keys())}"
    return out


def main() -> None:
    torch.manual_seed(13)
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        for case, path in tl_weights.CASES.items():
            model = tl_models.load(path, processed=False)
            input_ids = torch.randint(0, model.cfg.d_vocab, (2, 8), generator=torch.Generator().manual_seed(13))
            target = OUT / f"{case}.safetensors"
            save_file({k: v.detach().contiguous().clone() for k, v in norm_hooks(model, input_ids).items()},
                      str(target))
            data = target.read_bytes()
            assert len(data) < 1_000_000, f"{target} is {len(data)} bytes"
            print(f"{target.relative_to(tl_weights.ROOT)}  {len(data)} bytes  sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
