#!/usr/bin/env python3
"""Write a random-weight LLaMA-shaped HF checkpoint, sharded, without ever holding the model in memory.

    python3 tools/bench/make_random_llama.py --size 1b --dtype f32 --out /tmp/arrakis-bench/llama-1b-f32
    python3 tools/bench/make_random_llama.py --size 7b --dtype f16 --out /tmp/arrakis-bench/llama-7b-f16

Sizes: "1b" is TinyLlama-1.1B's config (22 layers, d_model 2048, 32 query / 4 key-value heads, d_mlp 5632,
vocab 32000; 1.1 B parameters: 4.4 GB in f32); "7b" is LLaMA-2-7B's (32 layers, d_model 4096, 32 heads, d_mlp 11008,
vocab 32000; 6.7 B parameters: 13.5 GB in f16). Each tensor is generated and written on its own (at most one
tensor, 0.5 GB, in memory) into safetensors shards of at most --shard-gb, with a model.safetensors.index.json, so
HF's from_pretrained and Arrakis both load the directory. Weights are N(0, 0.02), norm scales 1, from a fixed seed:
only speed and memory are meaningful, not text. Prints one line with the parameter count and bytes written.
"""

import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np

CONFIGS = {
    # TinyLlama/TinyLlama-1.1B-Chat-v1.0's config.json, trimmed to what shapes and numerics need
    "1b": dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22, num_attention_heads=32,
               num_key_value_heads=4, vocab_size=32000, max_position_embeddings=2048, rms_norm_eps=1e-5,
               rope_theta=10000.0, tie_word_embeddings=False),
    # meta-llama/Llama-2-7b-hf's config.json
    "7b": dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
               num_key_value_heads=32, vocab_size=32000, max_position_embeddings=4096, rms_norm_eps=1e-5,
               rope_theta=10000.0, tie_word_embeddings=False),
}
DTYPES = {"f32": ("F32", np.float32, "float32"), "f16": ("F16", np.float16, "float16")}
ROWS_PER_CHUNK = 1024


def tensors(c):
    """(name, shape, is_norm) in HF LlamaForCausalLM's order."""
    d, m, v = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    kv = d // c["num_attention_heads"] * c["num_key_value_heads"]
    yield "model.embed_tokens.weight", (v, d), False
    for layer in range(c["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        yield p + "input_layernorm.weight", (d,), True
        yield p + "self_attn.q_proj.weight", (d, d), False
        yield p + "self_attn.k_proj.weight", (kv, d), False
        yield p + "self_attn.v_proj.weight", (kv, d), False
        yield p + "self_attn.o_proj.weight", (d, d), False
        yield p + "post_attention_layernorm.weight", (d,), True
        yield p + "mlp.gate_proj.weight", (m, d), False
        yield p + "mlp.up_proj.weight", (m, d), False
        yield p + "mlp.down_proj.weight", (d, m), False
    yield "model.norm.weight", (d,), True
    yield "lm_head.weight", (v, d), False


def write_shard(path, entries, st_dtype, np_dtype, rng):
    header = {}
    offset = 0
    for name, shape, _ in entries:
        length = int(np.prod(shape)) * np.dtype(np_dtype).itemsize
        header[name] = {"dtype": st_dtype, "shape": list(shape), "data_offsets": [offset, offset + length]}
        offset += length
    header["__metadata__"] = {"format": "pt"}
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)  # the data region starts 8-byte aligned, as the safetensors writer does
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(encoded)))
        out.write(encoded)
        for name, shape, is_norm in entries:
            if is_norm:
                out.write(np.ones(shape, dtype=np_dtype).tobytes())
                continue
            rows, width = shape
            for start in range(0, rows, ROWS_PER_CHUNK):
                count = min(ROWS_PER_CHUNK, rows - start)
                chunk = rng.standard_normal((count, width), dtype=np.float32) * np.float32(0.02)
                out.write(chunk.astype(np_dtype).tobytes())
    return offset


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(CONFIGS), required=True)
    ap.add_argument("--dtype", choices=sorted(DTYPES), required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--shard-gb", type=float, default=2.0, help="largest shard, in GB (default 2)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    c = CONFIGS[args.size]
    st_dtype, np_dtype, torch_dtype = DTYPES[args.dtype]
    itemsize = np.dtype(np_dtype).itemsize
    shards, current, current_bytes = [], [], 0
    for entry in tensors(c):
        length = int(np.prod(entry[1])) * itemsize
        if current and current_bytes + length > args.shard_gb * 1e9:
            shards.append(current)
            current, current_bytes = [], 0
        current.append(entry)
        current_bytes += length
    shards.append(current)

    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    weight_map, total = {}, 0
    for index, entries in enumerate(shards, start=1):
        shard = f"model-{index:05d}-of-{len(shards):05d}.safetensors"
        total += write_shard(args.out / shard, entries, st_dtype, np_dtype, rng)
        weight_map.update({name: shard for name, _, _ in entries})
    (args.out / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2))
    config = dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_act="silu", bos_token_id=1,
                  eos_token_id=2, attention_bias=False, mlp_bias=False, initializer_range=0.02,
                  torch_dtype=torch_dtype, use_cache=True, rope_scaling=None, **c)
    (args.out / "config.json").write_text(json.dumps(config, indent=2))
    params = sum(int(np.prod(shape)) for _, shape, _ in tensors(c))
    print(f"wrote llama {args.size} {args.dtype} ({params / 1e9:.2f} B params, {total / 1e9:.2f} GB in "
          f"{len(shards)} shards) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
