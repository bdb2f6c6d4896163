"""
One Triton kernel per inverted-residual block (FP16, NHWC memory): the expanded tensor (6x the block's input)
never reaches HBM. A program owns a tile of output pixels and walks the expanded channels in chunks; for each
chunk it computes the expansion on the tile's 3x3 halo, the depthwise 3x3, both ReLU6s, and accumulates the
chunk's share of the projection, so HBM sees only the block's input, its output and the weights.

Three ways to feed the depthwise taps from the expanded chunk: 'gather' (fused_gather.py: the halo's chunk
once, the taps read on chip; it also takes more than 256 output channels) and these two, chosen by `scratch`:
- scratch: the halo's expanded chunk is written once to a per-program slot of a small global buffer (the
  programs loop over tiles, so the buffer is grid x slot and stays in L2) and the nine taps read it back;
- recompute: each tap recomputes the expansion at its shifted pixels (9x the expand FLOPs, no memory).
Blocks a setting declines (not FP16; a projection wider than 256 channels for scratch and recompute) return
None: the caller runs PyTorch's operators for them.
"""
import torch
import triton
import triton.language as tl
from fused_gather import GATHER_SETTINGS, _expand, _pow2, _relu6, launch_gather
from torch_timing import graph_ms


@triton.jit
def _scratch_taps(x_img, hy, hx, halo_ok, ph, slot, e, e_ok, e_l, oy_l, ox_l, po_ok, sxh, sxw, sxc,
                  we_ptr, be_ptr, wd_ptr, P_OUT: tl.constexpr, P_HALO: tl.constexpr, CIN: tl.constexpr,
                  CEXP: tl.constexpr, STRIDE: tl.constexpr, HW: tl.constexpr, BLOCK_K: tl.constexpr,
                  BLOCK_E: tl.constexpr, HAS_EXPAND: tl.constexpr):
    """The depthwise 3x3 (before bias) of one expanded chunk: the halo's chunk written once to the program's
    slot, the nine taps read back from it; fp32 [P_OUT, BLOCK_E]."""
    dw = tl.zeros((P_OUT, BLOCK_E), dtype=tl.float32)
    if HAS_EXPAND:
        ex = _expand(x_img, hy * sxh + hx * sxw, halo_ok, sxc, we_ptr, e, e_ok, be_ptr,
                     P_HALO, CIN, CEXP, BLOCK_K, BLOCK_E)
    else:
        ex = tl.load(x_img + (hy * sxh + hx * sxw)[:, None] + e[None, :] * sxc,
                     mask=halo_ok[:, None] & e_ok[None, :], other=0.0).to(tl.float32)
    tl.debug_barrier()  # the previous chunk's taps have all been read
    tl.store(slot + ph[:, None] * BLOCK_E + e_l[None, :], ex.to(tl.float16), cache_modifier=".cg")
    tl.debug_barrier()
    for t in tl.static_range(9):
        h_idx = (oy_l * STRIDE + t // 3) * HW + ox_l * STRIDE + t % 3
        v = tl.load(slot + h_idx[:, None] * BLOCK_E + e_l[None, :], mask=po_ok[:, None], other=0.0,
                    cache_modifier=".cg")
        wd = tl.load(wd_ptr + t * CEXP + e, mask=e_ok, other=0.0).to(tl.float32)
        dw += v.to(tl.float32) * wd[None, :]
    return dw


@triton.jit
def _recompute_taps(x_img, oy, ox, out_ok, H, W, e, e_ok, sxh, sxw, sxc, we_ptr, be_ptr, wd_ptr,
                    P_OUT: tl.constexpr, CIN: tl.constexpr, CEXP: tl.constexpr, STRIDE: tl.constexpr,
                    BLOCK_K: tl.constexpr, BLOCK_E: tl.constexpr, HAS_EXPAND: tl.constexpr):
    """The depthwise 3x3 (before bias) of one expanded chunk, each tap expanding its shifted pixels anew;
    fp32 [P_OUT, BLOCK_E]."""
    dw = tl.zeros((P_OUT, BLOCK_E), dtype=tl.float32)
    for t in tl.static_range(9):
        iy = oy * STRIDE - 1 + t // 3
        ix = ox * STRIDE - 1 + t % 3
        ok = out_ok & (iy >= 0) & (iy < H) & (ix >= 0) & (ix < W)
        if HAS_EXPAND:
            v = _expand(x_img, iy * sxh + ix * sxw, ok, sxc, we_ptr, e, e_ok, be_ptr,
                        P_OUT, CIN, CEXP, BLOCK_K, BLOCK_E)
        else:
            v = tl.load(x_img + (iy * sxh + ix * sxw)[:, None] + e[None, :] * sxc,
                        mask=ok[:, None] & e_ok[None, :], other=0.0).to(tl.float32)
        wd = tl.load(wd_ptr + t * CEXP + e, mask=e_ok, other=0.0).to(tl.float32)
        dw += v * wd[None, :]
    return dw


@triton.jit
def _store_tile(acc, x_img, out_ptr, n, son, oy, ox, out_ok, co, co_ok, bp_ptr, sxh, sxw, sxc, soh, sow, soc,
                RESIDUAL: tl.constexpr):
    """The projection's bias, the residual when the block has one, and the tile's store as fp16."""
    acc += tl.load(bp_ptr + co, mask=co_ok, other=0.0).to(tl.float32)[None, :]
    o_mask = out_ok[:, None] & co_ok[None, :]
    if RESIDUAL:
        r = tl.load(x_img + (oy * sxh + ox * sxw)[:, None] + co[None, :] * sxc, mask=o_mask, other=0.0)
        acc += r.to(tl.float32)
    o_ptr = out_ptr + n * son + (oy * soh + ox * sow)[:, None] + co[None, :] * soc
    tl.store(o_ptr, acc.to(tl.float16), mask=o_mask)


@triton.jit
def inverted_residual(
    x_ptr, we_ptr, be_ptr, wd_ptr, bd_ptr, wp_ptr, bp_ptr, out_ptr, scratch_ptr,
    H, W, HO, WO, sxn, sxh, sxw, sxc, son, soh, sow, soc, tiles_h, tiles_w, num_tiles,
    CIN: tl.constexpr, CEXP: tl.constexpr, COUT: tl.constexpr, STRIDE: tl.constexpr,
    TH: tl.constexpr, TW: tl.constexpr, HH: tl.constexpr, HW: tl.constexpr,
    P_OUT: tl.constexpr, P_HALO: tl.constexpr, BLOCK_K: tl.constexpr, BLOCK_E: tl.constexpr,
    COUT_P: tl.constexpr, HAS_EXPAND: tl.constexpr, RESIDUAL: tl.constexpr, SCRATCH: tl.constexpr,
):
    pid = tl.program_id(0)
    nprog = tl.num_programs(0)
    po = tl.arange(0, P_OUT)
    oy_l = po // TW
    ox_l = po % TW
    po_ok = po < TH * TW
    ph = tl.arange(0, P_HALO)
    hy_l = ph // HW
    hx_l = ph % HW
    co = tl.arange(0, COUT_P)
    co_ok = co < COUT
    e_l = tl.arange(0, BLOCK_E)
    slot = scratch_ptr + pid * (P_HALO * BLOCK_E)
    per_image = tiles_h * tiles_w
    for tile in range(pid, num_tiles, nprog):
        n = tile // per_image
        ty = (tile % per_image) // tiles_w
        tx = tile % tiles_w
        oy = ty * TH + oy_l
        ox = tx * TW + ox_l
        out_ok = po_ok & (oy < HO) & (ox < WO)
        x_img = x_ptr + n * sxn
        # The halo's top-left pixel in input coordinates (padding 1).
        hy = ty * TH * STRIDE - 1 + hy_l
        hx = tx * TW * STRIDE - 1 + hx_l
        halo_ok = (ph < HH * HW) & (hy >= 0) & (hy < H) & (hx >= 0) & (hx < W)
        acc = tl.zeros((P_OUT, COUT_P), dtype=tl.float32)
        for e0 in range(0, CEXP, BLOCK_E):
            e = e0 + e_l
            e_ok = e < CEXP
            if SCRATCH:
                dw = _scratch_taps(x_img, hy, hx, halo_ok, ph, slot, e, e_ok, e_l, oy_l, ox_l, po_ok, sxh, sxw, sxc,
                                   we_ptr, be_ptr, wd_ptr, P_OUT, P_HALO, CIN, CEXP, STRIDE, HW, BLOCK_K, BLOCK_E,
                                   HAS_EXPAND)
            else:
                dw = _recompute_taps(x_img, oy, ox, out_ok, H, W, e, e_ok, sxh, sxw, sxc, we_ptr, be_ptr, wd_ptr,
                                     P_OUT, CIN, CEXP, STRIDE, BLOCK_K, BLOCK_E, HAS_EXPAND)
            bd = tl.load(bd_ptr + e, mask=e_ok, other=0.0).to(tl.float32)
            dw = _relu6(dw + bd[None, :])
            wp = tl.load(wp_ptr + e[:, None] * COUT + co[None, :], mask=e_ok[:, None] & co_ok[None, :], other=0.0)
            acc = tl.dot(dw.to(tl.float16), wp, acc)
        _store_tile(acc, x_img, out_ptr, n, son, oy, ox, out_ok, co, co_ok, bp_ptr, sxh, sxw, sxc, soh, sow, soc,
                    RESIDUAL)


def tile_for(stride, ho, size="default"):
    """Output tile (rows, cols). default: a whole 7x7 map in one tile, else 8x8 (stride 1) or 4x4 (stride 2),
    whose halos (10x10, 9x9) fill most of a 128-pixel slot; big: twice the pixels; small: 4x4 (batch 1
    needs more programs than pixels per program)."""
    if ho <= 7:
        return (7, 7) if size != "small" else (4, 4)
    if size == "small":
        return 4, 4
    if size == "big":
        return (8, 16) if stride == 1 and ho >= 16 else (8, 8)
    return (8, 8) if stride == 1 else (4, 4)


# What a block may run as: the fused kernel in one of these settings, or PyTorch's operators ("torch").
CANDIDATES = [
    {"scratch": False, "tile": "default", "block_e": 32, "stages": 1},
    {"scratch": False, "tile": "default", "block_e": 64, "stages": 2},
    {"scratch": False, "tile": "big", "block_e": 32, "stages": 2},
    {"scratch": False, "tile": "small", "block_e": 32, "stages": 2},
    {"scratch": True, "tile": "default", "block_e": 32, "stages": 1},
    *GATHER_SETTINGS[:4],
    "torch",
]


# Two FP16 computations of a block differ by about 1e-3 (relative L2); a kernel beyond this is wrong.
MAX_REL_ERROR = 1e-2


def declines(c, p):
    """Why setting c cannot run a block with prepared weights p, or None."""
    if c != "torch" and c.get("kernel") != "gather" and p["cout"] > 256:
        return "projection of %d channels (> 256) would not fit the registers" % p["cout"]
    return None


class FusedKernel:
    """kernel(x, block, w) for fused_blocks.fuse: prepares each block's weights once (cached by the weight
    tensor, which the cache keeps alive) and launches the kernel. With a fixed `config` every block runs it;
    with tune=True each block's first call times every candidate (PyTorch's operators included) on its real
    input and keeps the fastest, as cuDNN's benchmark mode does; `choices` records what was measured. `plan`
(from an earlier `plan()`) gives blocks their choice without measuring again; a block or shape it does not
name is measured as with tune=True."""

    def __init__(self, config=None, tune=False, programs_per_sm=4, plan=()):
        self.config = config or CANDIDATES[0]
        self.tune = tune or bool(plan)
        self.programs_per_sm = programs_per_sm
        self.prepared = {}
        self.buffers = {}
        self.declined = {}
        self.chosen = {(p["block"], tuple(p["shape"])): p["choice"] for p in plan}
        self.choices = []

    def plan(self):
        """Every block's choice so far, as JSON a later FusedKernel(plan=...) takes."""
        return [{"block": b, "shape": list(s), "choice": c} for (b, s), c in sorted(self.chosen.items())]

    def weights(self, block, w):
        key = id(w(block["project"][0]))
        hit = self.prepared.get(key)
        if hit is not None and hit[0] is w(block["project"][0]):
            return hit[1]
        wp = w(block["project"][0])
        wd = w(block["depthwise"][0])
        prep = {
            "wd": wd.reshape(wd.shape[0], 9).t().contiguous(),
            "bd": w(block["depthwise"][1]).contiguous(),
            "wp": wp.reshape(wp.shape[0], wp.shape[1]).t().contiguous(),
            "bp": w(block["project"][1]).contiguous(),
            "cexp": wd.shape[0], "cout": wp.shape[0],
        }
        if block["expand"]:
            we = w(block["expand"][0])
            prep["we"] = we.reshape(we.shape[0], we.shape[1]).t().contiguous()
            prep["be"] = w(block["expand"][1]).contiguous()
            prep["cin"] = we.shape[1]
        else:
            prep["we"], prep["be"], prep["cin"] = prep["bd"], prep["bd"], wd.shape[0]
        self.prepared[key] = (wp, prep)
        return prep

    def __call__(self, x, block, w):
        if x.dtype != torch.float16 or not x.is_cuda:
            self.declined[block["output"]] = "not a CUDA float16 tensor"
            return None
        p = self.weights(block, w)
        if not self.tune:
            why = declines(self.config, p)
            if why:
                self.declined[block["output"]] = why
                return None
            return self.launch(x, block, p, self.config)
        key = (block["output"], tuple(x.shape))
        if key not in self.chosen:
            self.chosen[key] = self.pick(x, block, w, p)
        best = self.chosen[key]
        if best == "torch":
            return None
        return self.launch(x, block, p, best)

    def pick(self, x, block, w, p):
        """The fastest candidate among those whose output agrees with PyTorch's operators on x: a setting
        first measured on this GPU is checked as well as timed."""
        from fused_blocks import unfused
        timings = []
        want = unfused(x, block, w).float()
        for c in [c for c in CANDIDATES if not declines(c, p)]:
            try:
                run = (lambda: unfused(x, block, w)) if c == "torch" else (lambda c=c: self.launch(x, block, p, c))
                err = float((run().float() - want).norm() / want.norm().clamp_min(1e-12))
                if not err <= MAX_REL_ERROR:
                    raise ValueError("relative L2 error %.3g against PyTorch's operators" % err)
                timings.append((graph_ms(run), c))
            except Exception as e:  # a setting that does not compile or agree for this block is one fewer
                self.choices.append({"block": block["output"], "config": c, "error": str(e).splitlines()[0][:200]})
        timings.sort(key=lambda t: t[0])
        self.choices.append({"block": block["output"], "shape": list(x.shape),
                             "ms": [[round(t, 4), c] for t, c in timings]})
        return timings[0][1]

    def launch(self, x, block, p, c):
        n, _, h, wd_ = x.shape
        s = block["stride"]
        ho, wo = (h - 1) // s + 1, (wd_ - 1) // s + 1
        out = torch.empty((n, p["cout"], ho, wo), device=x.device, dtype=x.dtype, memory_format=torch.channels_last)
        if c.get("kernel") == "gather":
            return launch_gather(x, out, block, p, c)
        sms = torch.cuda.get_device_properties(x.device).multi_processor_count
        th, tw = tile_for(s, ho, c["tile"])
        hh, hw = (th - 1) * s + 3, (tw - 1) * s + 3
        tiles_h, tiles_w = -(-ho // th), -(-wo // tw)
        num_tiles = n * tiles_h * tiles_w
        grid = min(num_tiles, sms * self.programs_per_sm)
        p_halo = _pow2(hh * hw)
        scratch = self.buffer(x.device, grid * p_halo * c["block_e"] if c["scratch"] else 1)
        cout_p = _pow2(p["cout"])
        p_out = _pow2(th * tw)
        inverted_residual[(grid,)](
            x, p["we"], p["be"], p["wd"], p["bd"], p["wp"], p["bp"], out, scratch,
            h, wd_, ho, wo, x.stride(0), x.stride(2), x.stride(3), x.stride(1),
            out.stride(0), out.stride(2), out.stride(3), out.stride(1), tiles_h, tiles_w, num_tiles,
            CIN=p["cin"], CEXP=p["cexp"], COUT=p["cout"], STRIDE=s, TH=th, TW=tw, HH=hh, HW=hw,
            P_OUT=p_out, P_HALO=p_halo, BLOCK_K=16 if p["cin"] <= 16 else 32, BLOCK_E=c["block_e"],
            COUT_P=cout_p, HAS_EXPAND=block["expand"] is not None, RESIDUAL=block["residual"],
            SCRATCH=c["scratch"], num_warps=8 if p_out * cout_p >= 8192 else 4, num_stages=c["stages"],
        )
        return out

    def buffer(self, device, elements):
        """One scratch buffer per device, grown (never shrunk) before a CUDA graph captures the launches."""
        have = self.buffers.get(device)
        if have is None or have.numel() < elements:
            have = torch.empty(elements, device=device, dtype=torch.float16)
            self.buffers[device] = have
        return have
