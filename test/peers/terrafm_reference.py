"""A small PyTorch reference of the released TerraFM encoder forward, written from the published facts
(docs/train.md, "Checkpoint interchange"): module and parameter names are the released state-dict keys,
so load_state_dict(strict=True) checks names and shapes. Used by test/train/torch-parity.test.ts.

    python3 terrafm_reference.py <job.json>

or, from Python, model, meta = load_encoder("runs/x/encoder.safetensors"); cls = model(x, "s2_l2a").

job.json:
  shape:    {embed_dim, depth, heads, patch, img_size, channels: {s2_l2a: 12, s2_l1c: 12, s1: 2}}
  weights:  a .safetensors or .pth file to load (fusion keys under terrafm_fusion. are skipped), or
  random:   {seed, save: <file.pth>} to draw every parameter at random and torch.save the state dict
  inputs:   raw float32 file of the images of all cases, concatenated, each [B, C, S, S]
  cases:    [{modality, size, batch}]
  out:      raw float32 file receiving the normed CLS of every case, concatenated, each [B, D]
  legacy:   optional {token_eps, resize: "g"}: our previous conventions, to show they differ
"""
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MODALITIES = ["s2_l2a", "s2_l1c", "s1"]
FUSION_PREFIX = "terrafm_fusion."


class TokenProjection(nn.Module):
    def __init__(self, t, d, eps):
        super().__init__()
        self.proj1 = nn.Linear(t, t, bias=False)
        self.norm_input = nn.LayerNorm(t, eps=eps)
        self.proj2 = nn.Linear(t, t)
        self.proj3 = nn.Linear(t, d)

    def forward(self, x):
        return self.proj3(self.proj2(self.norm_input(self.proj1(x))))


class PatchEmbed(nn.Module):
    def __init__(self, shape, eps):
        super().__init__()
        d, p = shape["embed_dim"], shape["patch"]
        t = 3 * d
        for m in MODALITIES:
            setattr(self, f"conv2d_{m}", nn.Conv2d(shape["channels"][m], t, kernel_size=p, stride=p))
            setattr(self, f"{m}_embed", nn.Parameter(torch.zeros(1, t)))
        self.projection = TokenProjection(t, d, eps)

    def forward(self, x, modality):
        x = getattr(self, f"conv2d_{modality}")(x).flatten(2).transpose(1, 2)
        return self.projection(x + getattr(self, f"{modality}_embed"))


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.scale = (d // heads) ** -0.5
        self.qkv = nn.Linear(d, 3 * d, bias=True)
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        b, n, d = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((att @ v).transpose(1, 2).reshape(b, n, d))


class Mlp(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = nn.Linear(d, 4 * d)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(d, eps=1e-6)
        self.attn = Attention(d, heads)
        self.norm2 = nn.LayerNorm(d, eps=1e-6)
        self.mlp = Mlp(d)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TerraFMReference(nn.Module):
    def __init__(self, shape, token_eps=1e-5, resize="dino"):
        super().__init__()
        d = shape["embed_dim"]
        self.patch = shape["patch"]
        self.grid = shape["img_size"] // self.patch
        self.resize = resize
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.grid * self.grid + 1, d))
        self.patch_embed = PatchEmbed(shape, token_eps)
        self.blocks = nn.ModuleList([Block(d, shape["heads"]) for _ in range(shape["depth"])])
        self.norm = nn.LayerNorm(d, eps=1e-6)

    def interpolate_pos_encoding(self, n_patches, size):
        if n_patches == self.grid * self.grid:
            return self.pos_embed
        d = self.pos_embed.shape[-1]
        g = size // self.patch
        grid = self.pos_embed[:, 1:].reshape(1, self.grid, self.grid, d).permute(0, 3, 1, 2)
        if self.resize == "dino":  # the released convention: scale factor (g + 0.1) / G
            f = (g + 0.1) / self.grid
            grid = F.interpolate(grid, scale_factor=(f, f), mode="bicubic", align_corners=False)
        else:  # our previous one: coordinates mapped with g / G
            grid = F.interpolate(grid, size=(g, g), mode="bicubic", align_corners=False)
        assert grid.shape[-1] == g and grid.shape[-2] == g
        return torch.cat([self.pos_embed[:, :1], grid.permute(0, 2, 3, 1).reshape(1, g * g, d)], dim=1)

    def forward(self, x, modality):
        tokens = self.patch_embed(x, modality)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, tokens], dim=1) + self.interpolate_pos_encoding(tokens.shape[1], x.shape[-1])
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)[:, 0]


def read_safetensors(path):
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8 : 8 + n])
    out = {}
    for k, e in header.items():
        if k == "__metadata__":
            continue
        assert e["dtype"] == "F32", e["dtype"]
        a, b = e["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(buf[8 + n + a : 8 + n + b], dtype="<f4").reshape(e["shape"]).copy())
    return out, header.get("__metadata__", {})


def load_encoder(path):
    """A .safetensors file from `terrafm export`: (model with the weights, strict=True; metadata dict)."""
    sd, meta = read_safetensors(path)
    m = json.loads(meta["terrafm"])
    shape = {"embed_dim": m["embed_dim"], "depth": m["depth"], "heads": m["heads"], "patch": m["patch_size"],
             "img_size": m["img_size"], "channels": {k: b["channels"] for k, b in m["bands"].items()}}
    model = TerraFMReference(shape).eval()
    model.load_state_dict({k: v for k, v in sd.items() if not k.startswith(FUSION_PREFIX)}, strict=True)
    return model, m


def randomise(model, seed):
    """Every parameter random (biases and norms too), so a layout error anywhere changes the output."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name.endswith("norm.weight") or "norm_input.weight" in name:
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.03 * torch.randn(p.shape, generator=g))


def main(job_file):
    torch.set_num_threads(1)
    with open(job_file) as f:
        job = json.load(f)
    legacy = job.get("legacy", {})
    model = TerraFMReference(job["shape"], token_eps=legacy.get("token_eps", 1e-5), resize=legacy.get("resize", "dino")).eval()
    if "random" in job:
        randomise(model, job["random"]["seed"])
        torch.save(model.state_dict(), job["random"]["save"])
    else:
        path = job["weights"]
        sd = read_safetensors(path)[0] if path.endswith(".safetensors") else torch.load(path)
        model.load_state_dict({k: v for k, v in sd.items() if not k.startswith(FUSION_PREFIX)}, strict=True)
    images = np.fromfile(job["inputs"], dtype="<f4")
    outs, pos = [], 0
    with torch.no_grad():
        for c in job["cases"]:
            ch = job["shape"]["channels"][c["modality"]]
            n = c["batch"] * ch * c["size"] * c["size"]
            x = torch.from_numpy(images[pos : pos + n].reshape(c["batch"], ch, c["size"], c["size"]).copy())
            pos += n
            outs.append(model(x, c["modality"]).numpy().astype("<f4").ravel())
    assert pos == images.size, (pos, images.size)
    (np.concatenate(outs) if outs else np.zeros(0, dtype="<f4")).tofile(job["out"])


if __name__ == "__main__":
    main(sys.argv[1])
