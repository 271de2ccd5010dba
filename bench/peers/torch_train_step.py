#!/usr/bin/env python3
"""PyTorch peer of one TerraFM DINO training step, for `npm run bench -- train`.

The same step as src/train/trainer.ts, written independently on PyTorch: the encoder of
src/train/model.ts (per-modality patch embedding, modality embedding, shared token projection,
cross-modal fusion by learned queries, pre-norm ViT blocks, final norm, CLS feature), the DINO head
(3-layer MLP, L2-normalised bottleneck, weight-normalised prototypes), teacher forward on the global
views, student forward + backward on all views, DINO cross-entropy against centred teacher
targets, global-norm clipping, AdamW with decoupled decay on matrices only, teacher EMA and centre
EMA. Parameter shapes are built here from the model hyper-parameters (not copied from our list),
so the benchmark can check that both sides count the same parameters.

Protocol (stdin/stdout, one JSON object per line): the first line is the configuration; the script
answers {"ready": true, "params": N, "threads": T}. Each following line "step" runs one optimiser
step and answers {"ms": wall ms, "cpu_ms": CPU ms of all threads, "loss": L}; "quit" prints {"peak_rss_mib": ...} and exits.
"""
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

MODALITY_CHANNELS = {"s2_l2a": 12, "s2_l1c": 12, "s1": 2}
MODALITIES = ["s2_l2a", "s2_l1c", "s1"]


def param_shapes(c):
    """(name, shape, decay) of every parameter: encoder (backbone + fusion) and DINO head."""
    D, p = c["embed_dim"], c["patch_size"]
    T, H, G = c["token_dim_factor"] * D, c["mlp_ratio"] * D, c["img_size"] // p
    out = []
    for m in MODALITIES:
        out += [(f"patch_embed.{m}.w", (MODALITY_CHANNELS[m] * p * p, T)), (f"patch_embed.{m}.b", (T,))]
    out += [("modality_embed", (len(MODALITIES), T)), ("token_proj.0.w", (T, T)), ("token_proj.norm.g", (T,)),
            ("token_proj.norm.b", (T,)), ("token_proj.1.w", (T, T)), ("token_proj.1.b", (T,)),
            ("token_proj.2.w", (T, D)), ("token_proj.2.b", (D,)), ("cls_token", (1, D)), ("pos_embed", (G * G + 1, D))]
    for i in range(c["depth"]):
        b = f"blocks.{i}"
        out += [(f"{b}.norm1.g", (D,)), (f"{b}.norm1.b", (D,)), (f"{b}.attn.qkv.w", (D, 3 * D)), (f"{b}.attn.qkv.b", (3 * D,)),
                (f"{b}.attn.proj.w", (D, D)), (f"{b}.attn.proj.b", (D,)), (f"{b}.norm2.g", (D,)), (f"{b}.norm2.b", (D,)),
                (f"{b}.mlp.fc1.w", (D, H)), (f"{b}.mlp.fc1.b", (H,)), (f"{b}.mlp.fc2.w", (H, D)), (f"{b}.mlp.fc2.b", (D,))]
    out += [("norm.g", (D,)), ("norm.b", (D,)), ("fusion.queries", (c["fusion_queries"], D)), ("fusion.k.w", (D, D)),
            ("fusion.v.w", (D, D)), ("fusion.o.w", (D, D)), ("fusion.o.b", (D,))]
    hd, bd, K = c["head_hidden"], c["head_bottleneck"], c["out_dim"]
    out += [("head.fc1.w", (D, hd)), ("head.fc1.b", (hd,)), ("head.fc2.w", (hd, hd)), ("head.fc2.b", (hd,)),
            ("head.fc3.w", (hd, bd)), ("head.fc3.b", (bd,)), ("head.proto.v", (bd, K))]
    return [(n, s, len(s) >= 2 and not n.endswith(".g")) for n, s in out]


def init_params(c):
    """ViT-style init as sizes.ts: truncated normal (std 0.02, CLS 1e-6) for matrices, ones for norm gains, zeros for biases and fusion.o.w."""
    params = {}
    for name, shape, _ in param_shapes(c):
        if name.endswith(".g"):
            t = torch.ones(shape)
        elif name.endswith(".b") or name == "fusion.o.w":
            t = torch.zeros(shape)
        else:
            std = 1e-6 if name == "cls_token" else 0.02
            t = torch.nn.init.trunc_normal_(torch.empty(shape), std=std, a=-2 * std, b=2 * std)
        params[name] = t
    return params


def linear(x, w, b=None):
    y = x @ w
    return y + b if b is not None else y


def embed_modality(P, c, m, patches):
    eps = c["eps"]
    x = linear(patches, P[f"patch_embed.{m}.w"], P[f"patch_embed.{m}.b"]) + P["modality_embed"][MODALITIES.index(m)]
    x = x @ P["token_proj.0.w"]
    x = F.layer_norm(x, x.shape[-1:], P["token_proj.norm.g"], P["token_proj.norm.b"], c.get("token_eps", eps))
    x = linear(x, P["token_proj.1.w"], P["token_proj.1.b"])
    return linear(x, P["token_proj.2.w"], P["token_proj.2.b"])


def fuse(P, tokens):
    if len(tokens) == 1:
        return tokens[0]
    B, N, D = tokens[0].shape
    x = torch.stack(tokens, 2).reshape(B * N, len(tokens), D)
    k, v = x @ P["fusion.k.w"], x @ P["fusion.v.w"]
    att = torch.softmax((k @ P["fusion.queries"].t()) / math.sqrt(D), dim=1).transpose(1, 2)  # [BN, Q, M]
    pooled = (att @ v).mean(1)
    return (x.mean(1) + linear(pooled, P["fusion.o.w"], P["fusion.o.b"])).reshape(B, N, D)


def attention(P, c, b, x):
    B, N, D = x.shape
    h = c["heads"]
    dh = D // h
    qkv = linear(x, P[f"{b}.attn.qkv.w"], P[f"{b}.attn.qkv.b"]).reshape(B, N, 3 * h, dh).permute(0, 2, 1, 3)
    q, k, v = qkv.split(h, 1)
    att = torch.softmax((q @ k.transpose(-1, -2)) / math.sqrt(dh), dim=-1)
    o = (att @ v).permute(0, 2, 1, 3).reshape(B, N, D)
    return linear(o, P[f"{b}.attn.proj.w"], P[f"{b}.attn.proj.b"])


def backbone(P, c, tokens, resize):
    B, _, D = tokens.shape
    eps = c["eps"]
    pos = P["pos_embed"]
    if resize is not None:
        pos = torch.cat([pos[:1], resize @ pos[1:]], 0)
    x = torch.cat([P["cls_token"].expand(B, 1, D), tokens], 1) + pos
    for i in range(c["depth"]):
        b = f"blocks.{i}"
        x = x + attention(P, c, b, F.layer_norm(x, (D,), P[f"{b}.norm1.g"], P[f"{b}.norm1.b"], eps))
        hdn = F.gelu(linear(F.layer_norm(x, (D,), P[f"{b}.norm2.g"], P[f"{b}.norm2.b"], eps), P[f"{b}.mlp.fc1.w"], P[f"{b}.mlp.fc1.b"]))
        x = x + linear(hdn, P[f"{b}.mlp.fc2.w"], P[f"{b}.mlp.fc2.b"])
    return F.layer_norm(x[:, 0], (D,), P["norm.g"], P["norm.b"], eps)


def encode_views(P, c, views, resizes):
    """Views sharing a grid go through the blocks as one batch, as encodeViews does."""
    out = [None] * len(views)
    by_grid = {}
    for i, v in enumerate(views):
        by_grid.setdefault(v["grid"], []).append(i)
    for grid, idx in by_grid.items():
        toks = [fuse(P, [embed_modality(P, c, m, views[i]["patches"][m]) for m in views[i]["modalities"]]) for i in idx]
        cls = backbone(P, c, torch.cat(toks, 0), resizes.get(grid))
        for j, part in zip(idx, cls.split([t.shape[0] for t in toks], 0)):
            out[j] = part
    return out


def head(P, cls):
    x = F.gelu(linear(cls, P["head.fc1.w"], P["head.fc1.b"]))
    x = F.gelu(linear(x, P["head.fc2.w"], P["head.fc2.b"]))
    x = F.normalize(linear(x, P["head.fc3.w"], P["head.fc3.b"]), dim=-1, eps=1e-6)
    return x @ F.normalize(P["head.proto.v"], dim=0, eps=1e-6)


class Step:
    def __init__(self, c):
        self.c = c
        torch.manual_seed(c.get("seed", 0))
        gen = torch.Generator().manual_seed(c.get("seed", 0))
        values = init_params(c)
        self.student = {k: torch.nn.Parameter(v.clone()) for k, v in values.items()}
        self.teacher = {k: v.clone() for k, v in values.items()}
        decay = {n for n, _, d in param_shapes(c) if d}
        self.opt = torch.optim.AdamW(
            [{"params": [p for n, p in self.student.items() if n in decay], "weight_decay": c["weight_decay"]},
             {"params": [p for n, p in self.student.items() if n not in decay], "weight_decay": 0.0}],
            lr=c["lr"], betas=(0.9, 0.999), eps=1e-8)
        self.centre = torch.zeros(c["out_dim"])
        G = c["img_size"] // c["patch_size"]
        # Any fixed [g*g, G*G] matrix costs what the bicubic resize does; values do not matter for speed.
        self.resizes = {v["grid"]: torch.rand(v["grid"] ** 2, G * G, generator=gen) / (G * G)
                        for v in c["views"] if v["grid"] != G}
        B = c["batch"]
        self.views = [{"grid": v["grid"], "modalities": v["modalities"],
                       "patches": {m: torch.randn(B, v["grid"] ** 2, MODALITY_CHANNELS[m] * c["patch_size"] ** 2, generator=gen)
                                   for m in v["modalities"]}} for v in c["views"]]
        self.n_global = c["global_count"]

    def run(self):
        c = self.c
        B = c["batch"]
        with torch.no_grad():
            t_logits = [head(self.teacher, x) for x in encode_views(self.teacher, c, self.views[: self.n_global], self.resizes)]
            targets = [torch.softmax((t - self.centre) / c["teacher_temp"], -1) for t in t_logits]
        cls = encode_views(self.student, c, self.views, self.resizes)
        logp = [F.log_softmax(head(self.student, x) / c["student_temp"], -1) for x in cls]
        a = torch.full((B,), 1.0 / B)
        total, pairs = 0.0, 0
        for v, q in enumerate(targets):
            for u, lp in enumerate(logp):
                if u != v:
                    total = total + ((-(q * lp).sum(-1)) * a).sum()
                    pairs += 1
        loss = total / pairs
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(self.student.values()), c["clip_grad"])
        self.opt.step()
        with torch.no_grad():
            m = c["momentum"]
            for k, t in self.teacher.items():
                t.mul_(m).add_(self.student[k].detach(), alpha=1 - m)
            self.centre.mul_(0.9).add_(torch.cat(t_logits, 0).mean(0), alpha=0.1)
        return float(loss)


def main():
    torch.set_num_threads(int(os.environ.get("PEER_THREADS", os.cpu_count() or 1)))
    c = json.loads(sys.stdin.readline())
    step = Step(c)
    print(json.dumps({"ready": True, "params": sum(p.numel() for p in step.student.values()), "threads": torch.get_num_threads(),
                      "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "step":
            t0, c0 = time.perf_counter(), time.process_time()
            loss = step.run()
            print(json.dumps({"ms": (time.perf_counter() - t0) * 1000, "cpu_ms": (time.process_time() - c0) * 1000, "loss": loss}), flush=True)
        elif cmd == "quit":
            break
    print(json.dumps({"peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


if __name__ == "__main__":
    main()
