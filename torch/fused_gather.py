"""
The inverted-residual kernel's "gather" variant (FP16, NHWC): each expanded chunk is computed once on the
tile's halo as a [P_HALO, BLOCK_E] tensor and the nine depthwise taps take their rows from it with tl.gather
(through shared memory with "flat" 1 or 2, through warp shuffles with 0: _gather_taps), so the expansion is neither
recomputed per tap (fused_triton.py's 'recompute') nor written to global memory ('scratch').

A tile is NI images x TH x TW output pixels. Where whole input maps fit the halo (14x14 and 7x7: the blocks
whose 1x1 GEMMs would otherwise have 49-row tiles and a tiny grid), a tile is NI whole images and its halo is
just their pixels ("tight": the padding ring is masked at the taps instead of stored). The projection's
output channels are two power-of-two accumulators (160 = 128 + 32, 320 = 256 + 64) rather than one padded to
the next power of two, optionally split across programs (grid axis 1) to bound the registers of wide ones.
"""
import torch
import triton
import triton.language as tl

# The gather kernel's settings the bench times; fused_triton.CANDIDATES tries a subset of them per block.
GATHER_SETTINGS = [
    {"kernel": "gather", "tile": "default", "block_e": 32, "stages": 2, "co_split": 1, "flat": 1},
    {"kernel": "gather", "tile": "small", "block_e": 32, "stages": 2, "co_split": 1, "flat": 1},
    {"kernel": "gather", "tile": "default", "block_e": 32, "stages": 2, "co_split": 2, "flat": 1},
    {"kernel": "gather", "tile": "default", "block_e": 32, "stages": 2, "co_split": 1, "flat": 2},
    {"kernel": "gather", "tile": "big", "block_e": 32, "stages": 2, "co_split": 1, "flat": 1},
    {"kernel": "gather", "tile": "default", "block_e": 32, "stages": 2, "co_split": 1, "flat": 0},
    {"kernel": "gather", "tile": "small", "block_e": 64, "stages": 2, "co_split": 1, "flat": 2},
    {"kernel": "gather", "tile": "default", "block_e": 16, "stages": 1, "co_split": 1, "flat": 1},
]


@triton.jit
def _relu6(v):
    return tl.minimum(tl.maximum(v, 0.0), 6.0)


@triton.jit
def _expand(x_ptr, pix, ok, sxc, we_ptr, e, e_ok, be_ptr,
            P: tl.constexpr, CIN: tl.constexpr, CEXP: tl.constexpr, BLOCK_K: tl.constexpr, BLOCK_E: tl.constexpr):
    """relu6(x[pix] @ We[:, e] + be[e]) as fp32 [P, BLOCK_E]; zero where the pixel is padding."""
    acc = tl.zeros((P, BLOCK_E), dtype=tl.float32)
    for k0 in tl.static_range(0, CIN, BLOCK_K):
        k = k0 + tl.arange(0, BLOCK_K)
        k_ok = k < CIN
        a = tl.load(x_ptr + pix[:, None] + k[None, :] * sxc, mask=ok[:, None] & k_ok[None, :], other=0.0)
        b = tl.load(we_ptr + k[:, None] * CEXP + e[None, :], mask=k_ok[:, None] & e_ok[None, :], other=0.0)
        acc = tl.dot(a, b, acc)
    bias = tl.load(be_ptr + e, mask=e_ok, other=0.0).to(tl.float32)
    return tl.where(ok[:, None], _relu6(acc + bias[None, :]), 0.0)


@triton.jit
def _one_tap(src, rows, wd_ptr, t, e, e_ok, CEXP: tl.constexpr, P_OUT: tl.constexpr, BLOCK_E: tl.constexpr,
             FLAT: tl.constexpr):
    """Tap t's weighted rows (fp32 [P_OUT, BLOCK_E]) from `src`: the chunk, or flattened (FLAT)."""
    col = tl.arange(0, BLOCK_E)[None, :]
    if FLAT:
        idx = tl.reshape(tl.maximum(rows, 0)[:, None] * BLOCK_E + col, (P_OUT * BLOCK_E,))
        v = tl.reshape(tl.gather(src, idx, 0), (P_OUT, BLOCK_E))
    else:
        v = tl.gather(src, tl.maximum(rows, 0)[:, None] + col * 0, 0)
    wd = tl.load(wd_ptr + t * CEXP + e, mask=e_ok, other=0.0).to(tl.float32)
    return tl.where((rows >= 0)[:, None], v.to(tl.float32), 0.0) * wd[None, :]


@triton.jit
def _eight_taps(flat, taps, e, e_ok, wd_ptr, CEXP: tl.constexpr, P_OUT: tl.constexpr, BLOCK_E: tl.constexpr):
    """Taps 0-7 together from the flattened chunk: one gather, so one store of the chunk to shared memory
    (each gather stores its source anew) instead of eight; fp32 [P_OUT, BLOCK_E]."""
    t = tl.arange(0, 8)
    rows = tl.load(taps + t[:, None] * P_OUT + tl.arange(0, P_OUT)[None, :])
    idx = tl.maximum(rows, 0)[:, :, None] * BLOCK_E + tl.arange(0, BLOCK_E)[None, None, :]
    v = tl.reshape(tl.gather(flat, tl.reshape(idx, (8 * P_OUT * BLOCK_E,)), 0), (8, P_OUT, BLOCK_E))
    wd = tl.load(wd_ptr + t[:, None] * CEXP + e[None, :], mask=e_ok[None, :], other=0.0).to(tl.float32)
    return tl.sum(tl.where((rows >= 0)[:, :, None], v.to(tl.float32), 0.0) * wd[:, None, :], axis=0)


@triton.jit
def _gather_taps(ex, taps_ptr, chunk, po, e, e_ok, wd_ptr, CEXP: tl.constexpr, P_OUT: tl.constexpr,
                 P_HALO: tl.constexpr, BLOCK_E: tl.constexpr, FLAT: tl.constexpr):
    """The depthwise 3x3 (before bias) of one expanded halo chunk `ex` (fp16 [P_HALO, BLOCK_E]): tap t of
    output row po is halo row taps[t, po], or the conv's zero padding where that is -1 (see tap_rows). The
    table has two copies, read alternately by chunk: an address that does not depend on the loop would let
    the compiler hoist the nine [P_OUT, BLOCK_E] index tensors out of it and keep them all live across it,
    which spilled every block's registers. FLAT (1 or 2) gathers from the chunk flattened to one dimension:
    Triton (3.6) lays a 2-D gather out warp-local and lowers it to warp shuffles (about 600 a thread per chunk
    for a 64-row tile), a 1-D one through shared memory (a store of the source, then one load per value).
    FLAT 2 gathers eight taps at once: fewer stores and barriers (block 10: 85 and 17 against 140 and 29),
    more registers (167 against 102)."""
    taps = taps_ptr + (chunk % 2) * (9 * P_OUT)
    if FLAT == 2:
        flat = tl.reshape(ex, (P_HALO * BLOCK_E,))
        dw = _eight_taps(flat, taps, e, e_ok, wd_ptr, CEXP, P_OUT, BLOCK_E)
        dw += _one_tap(flat, tl.load(taps + 8 * P_OUT + po), wd_ptr, 8, e, e_ok, CEXP, P_OUT, BLOCK_E, FLAT)
    else:
        src = tl.reshape(ex, (P_HALO * BLOCK_E,)) if FLAT else ex
        dw = tl.zeros((P_OUT, BLOCK_E), dtype=tl.float32)
        for t in tl.static_range(9):
            dw += _one_tap(src, tl.load(taps + t * P_OUT + po), wd_ptr, t, e, e_ok, CEXP, P_OUT, BLOCK_E, FLAT)
    return dw


@triton.jit
def _store_part(acc, x_ptr, out_ptr, xpix, opix, out_ok, co, co_end, bp_ptr, sxc, soc, RESIDUAL: tl.constexpr):
    """One accumulator's output channels (those below co_end): bias, the residual when the block has one,
    the fp16 store."""
    co_ok = co < co_end
    acc += tl.load(bp_ptr + co, mask=co_ok, other=0.0).to(tl.float32)[None, :]
    o_mask = out_ok[:, None] & co_ok[None, :]
    if RESIDUAL:
        acc += tl.load(x_ptr + xpix[:, None] + co[None, :] * sxc, mask=o_mask, other=0.0).to(tl.float32)
    tl.store(out_ptr + opix[:, None] + co[None, :] * soc, acc.to(tl.float16), mask=o_mask)


@triton.jit
def _halo_chunk(x_ptr, hpix, halo_ok, sxc, we_ptr, be_ptr, e, e_ok, P_HALO: tl.constexpr, CIN: tl.constexpr,
                CEXP: tl.constexpr, BLOCK_K: tl.constexpr, BLOCK_E: tl.constexpr, HAS_EXPAND: tl.constexpr):
    """The halo's expanded chunk as fp16 (the block's input itself where the block has no expansion)."""
    if HAS_EXPAND:
        ex = _expand(x_ptr, hpix, halo_ok, sxc, we_ptr, e, e_ok, be_ptr, P_HALO, CIN, CEXP, BLOCK_K, BLOCK_E)
        return ex.to(tl.float16)
    return tl.load(x_ptr + hpix[:, None] + e[None, :] * sxc, mask=halo_ok[:, None] & e_ok[None, :], other=0.0)


@triton.jit
def _tile(x_ptr, we_ptr, be_ptr, wd_ptr, bd_ptr, wp_ptr, bp_ptr, out_ptr, taps_ptr, g, ty, tx, co0, N, H, W, HO, WO,
          sxn, sxh, sxw, sxc, son, soh, sow, soc,
          CIN: tl.constexpr, CEXP: tl.constexpr, COUT: tl.constexpr, STRIDE: tl.constexpr, NI: tl.constexpr,
          TH: tl.constexpr, TW: tl.constexpr, HH: tl.constexpr, HW: tl.constexpr, PAD: tl.constexpr,
          P_OUT: tl.constexpr, P_HALO: tl.constexpr, BLOCK_K: tl.constexpr, BLOCK_E: tl.constexpr,
          CO_STEP: tl.constexpr, CO_A: tl.constexpr, CO_B: tl.constexpr, HAS_B: tl.constexpr,
          HAS_EXPAND: tl.constexpr, RESIDUAL: tl.constexpr, FLAT: tl.constexpr):
    """One tile: NI images (from g * NI) x TH x TW output pixels from (ty, tx) x tile, the CO_STEP output
    channels from co0: CO_A in one accumulator, the rest (HAS_B) in a second of CO_B."""
    po = tl.arange(0, P_OUT)
    oi = po // (TH * TW)
    n_o = g * NI + oi
    oy = ty * TH + (po % (TH * TW)) // TW
    ox = tx * TW + po % TW
    out_ok = (po < NI * TH * TW) & (n_o < N) & (oy < HO) & (ox < WO)
    # The halo's origin in input coordinates: the 3x3's padding ring included (PAD 1), or not ("tight").
    y0 = ty * TH * STRIDE - PAD
    x0 = tx * TW * STRIDE - PAD
    ph = tl.arange(0, P_HALO)
    n_h = g * NI + ph // (HH * HW)
    hy = y0 + (ph % (HH * HW)) // HW
    hx = x0 + ph % HW
    halo_ok = (ph < NI * HH * HW) & (n_h < N) & (hy >= 0) & (hy < H) & (hx >= 0) & (hx < W)
    hpix = n_h * sxn + hy * sxh + hx * sxw
    co_a = co0 + tl.arange(0, CO_A)
    co_b = co0 + CO_A + tl.arange(0, CO_B)
    co_end = tl.minimum(co0 + CO_STEP, COUT)
    acc_a = tl.zeros((P_OUT, CO_A), dtype=tl.float32)
    acc_b = tl.zeros((P_OUT, CO_B), dtype=tl.float32)
    for e0 in range(0, CEXP, BLOCK_E):
        e = e0 + tl.arange(0, BLOCK_E)
        e_ok = e < CEXP
        ex = _halo_chunk(x_ptr, hpix, halo_ok, sxc, we_ptr, be_ptr, e, e_ok, P_HALO, CIN, CEXP, BLOCK_K, BLOCK_E,
                         HAS_EXPAND)
        dw = _gather_taps(ex, taps_ptr, e0 // BLOCK_E, po, e, e_ok, wd_ptr, CEXP, P_OUT, P_HALO, BLOCK_E, FLAT)
        bd = tl.load(bd_ptr + e, mask=e_ok, other=0.0).to(tl.float32)
        dw = _relu6(dw + bd[None, :]).to(tl.float16)
        wp_a = tl.load(wp_ptr + e[:, None] * COUT + co_a[None, :], mask=e_ok[:, None] & (co_a < co_end)[None, :],
                       other=0.0)
        acc_a = tl.dot(dw, wp_a, acc_a)
        if HAS_B:
            wp_b = tl.load(wp_ptr + e[:, None] * COUT + co_b[None, :],
                           mask=e_ok[:, None] & (co_b < co_end)[None, :], other=0.0)
            acc_b = tl.dot(dw, wp_b, acc_b)
    xpix = n_o * sxn + oy * sxh + ox * sxw
    opix = n_o * son + oy * soh + ox * sow
    _store_part(acc_a, x_ptr, out_ptr, xpix, opix, out_ok, co_a, co_end, bp_ptr, sxc, soc, RESIDUAL)
    if HAS_B:
        _store_part(acc_b, x_ptr, out_ptr, xpix, opix, out_ok, co_b, co_end, bp_ptr, sxc, soc, RESIDUAL)


@triton.jit
def inverted_residual_gather(
    x_ptr, we_ptr, be_ptr, wd_ptr, bd_ptr, wp_ptr, bp_ptr, out_ptr, taps_ptr,
    N, H, W, HO, WO, sxn, sxh, sxw, sxc, son, soh, sow, soc, tiles_h, tiles_w,
    CIN: tl.constexpr, CEXP: tl.constexpr, COUT: tl.constexpr, STRIDE: tl.constexpr, NI: tl.constexpr,
    TH: tl.constexpr, TW: tl.constexpr, HH: tl.constexpr, HW: tl.constexpr, PAD: tl.constexpr,
    P_OUT: tl.constexpr, P_HALO: tl.constexpr, BLOCK_K: tl.constexpr, BLOCK_E: tl.constexpr,
    CO_STEP: tl.constexpr, CO_A: tl.constexpr, CO_B: tl.constexpr, HAS_B: tl.constexpr,
    HAS_EXPAND: tl.constexpr, RESIDUAL: tl.constexpr, FLAT: tl.constexpr,
):
    """One program per tile (axis 0) and slice of output channels (axis 1)."""
    tile = tl.program_id(0)
    per_group = tiles_h * tiles_w
    _tile(x_ptr, we_ptr, be_ptr, wd_ptr, bd_ptr, wp_ptr, bp_ptr, out_ptr, taps_ptr, tile // per_group,
          (tile % per_group) // tiles_w, tile % tiles_w, tl.program_id(1) * CO_STEP, N, H, W, HO, WO, sxn, sxh,
          sxw, sxc, son, soh, sow, soc, CIN, CEXP, COUT, STRIDE, NI, TH, TW, HH, HW, PAD, P_OUT, P_HALO, BLOCK_K,
          BLOCK_E, CO_STEP, CO_A, CO_B, HAS_B, HAS_EXPAND, RESIDUAL, FLAT)


def _pow2(v, floor=16):
    p = floor
    while p < v:
        p *= 2
    return p


# Input maps of at most this many pixels run as whole maps per tile (several of them where they fit).
TIGHT_PIXELS = {"small": 64, "default": 128, "big": 256}


def gather_tile(stride, h, w, size):
    """(images, rows, cols, tight) of a tile. Maps that fit TIGHT_PIXELS: whole maps, as many as fit (7x7: one,
    two or five; 14x14: one when big), with a tight halo. Else stride 1: 8x8 (halo 10x10 of a 128-row slot),
    7x7 where the map is 14x14 or the tile small (halo 9x9), big 14x14 (halo 16x16 = 256 rows exactly); stride
    2: 7x7 (halo 15x15) where the output is 14x14 or less or the tile big, else 4x8 (halo 9x17), small 4x4."""
    ho, wo = (h - 1) // stride + 1, (w - 1) // stride + 1
    limit = TIGHT_PIXELS[size]
    if h * w <= limit:
        return limit // (h * w), ho, wo, True
    if stride == 2:
        th, tw = (4, 4) if size == "small" else (7, 7) if ho <= 14 or size == "big" else (4, 8)
        return 1, th, tw, False
    if size == "big":
        return (1, 14, 14, False) if ho % 14 == 0 else (1, 8, 16, False)
    return (1, 7, 7, False) if size == "small" or ho <= 14 else (1, 8, 8, False)


def channel_split(cout, splits):
    """(per program, first accumulator, second accumulator or 0): 160 = 128 + 32, 24 = 16 + 8 (in 16)."""
    step = -(-cout // splits)
    a = 16
    while a * 2 <= step:
        a *= 2
    return step, a, (_pow2(step - a) if step > a else 0)


def tap_rows(ni, th, tw, hh, hw, stride, tight, p_out):
    """[9, p_out] halo rows of each output row's nine taps, twice (see _gather_taps). Tight halos
    are the maps themselves: a tap off the map is -1, the conv's padding. Else the halo holds the padding ring
    (zeros), so every tap of a tile's row has a row, also for output pixels past the map's edge (not stored)."""
    rows = [-1] * (9 * p_out)
    for po in range(ni * th * tw):
        img, oy, ox = po // (th * tw), po % (th * tw) // tw, po % tw
        for t in range(9):
            iy, ix = oy * stride + t // 3 - tight, ox * stride + t % 3 - tight
            if 0 <= iy < hh and 0 <= ix < hw:
                rows[t * p_out + po] = img * hh * hw + iy * hw + ix
    return rows * 2


_TAPS = {}


def chunk_and_warps(p_out, co, p_halo, block_e):
    """(chunk of expanded channels, warps) for a tile. From sm_90 builds of every MobileNetV2 block (ptxas
    through Triton's compile, no GPU needed): the gather spilled registers once the halo chunk exceeded 16
    values a thread, and 16 warps (128 registers a thread at most) spilled too. So the chunk is at most
    4096 / halo rows (16 for 256-row halos) and 16 where the accumulators alone take 64 registers a thread at
    8 warps; 8 warps where 4 would hold more than 16 chunk values or 64 accumulator values a thread."""
    block_e = min(block_e, max(16, 4096 // p_halo))
    if p_out * co > 64 * 256:
        block_e = 16
    return block_e, 8 if p_halo * block_e > 16 * 128 or p_out * co > 64 * 128 else 4


def _taps(device, *geometry):
    """tap_rows on the device, made once per geometry (before a CUDA graph captures the launch)."""
    key = (str(device),) + geometry
    if key not in _TAPS:
        _TAPS[key] = torch.tensor(tap_rows(*geometry), dtype=torch.int32, device=device)
    return _TAPS[key]


def geometry(shape, stride, cout, c):
    """How setting c tiles an input of this (N, C, H, W) shape: the kernel's tile constants and grid."""
    n, _, h, w = shape
    ni, th, tw, tight = gather_tile(stride, h, w, c["tile"])
    ni = min(ni, n)
    hh, hw = (h, w) if tight else ((th - 1) * stride + 3, (tw - 1) * stride + 3)
    step, co_a, co_b = channel_split(cout, c["co_split"])
    p_out, p_halo = _pow2(ni * th * tw), _pow2(ni * hh * hw)
    block_e, warps = chunk_and_warps(p_out, co_a + max(co_b, 16) * (co_b > 0), p_halo, c["block_e"])
    ho, wo = (h - 1) // stride + 1, (w - 1) // stride + 1
    return {"NI": ni, "TH": th, "TW": tw, "HH": hh, "HW": hw, "PAD": 0 if tight else 1, "P_OUT": p_out,
            "P_HALO": p_halo, "BLOCK_E": block_e, "CO_STEP": step, "CO_A": co_a, "CO_B": max(co_b, 16),
            "HAS_B": co_b > 0, "FLAT": c.get("flat", 0), "BLOCK_K": 16 if shape[1] <= 16 else 32,
            "num_warps": c.get("warps") or warps, "num_stages": c["stages"],
            "tiles": (-(-ho // th), -(-wo // tw)), "grid": (-(-n // ni) * -(-ho // th) * -(-wo // tw),
                                                          -(-cout // step))}


def launch_gather(x, out, block, p, c):
    """Runs the gather kernel for x (N, C, H, W fp16, channels-last) into out."""
    n, _, h, w = x.shape
    s = block["stride"]
    g = geometry(x.shape, s, p["cout"], c)
    taps = _taps(x.device, g["NI"], g["TH"], g["TW"], g["HH"], g["HW"], s, g["PAD"] == 0, g["P_OUT"])
    tiles_h, tiles_w = g.pop("tiles")
    inverted_residual_gather[g.pop("grid")](
        x, p["we"], p["be"], p["wd"], p["bd"], p["wp"], p["bp"], out, taps,
        n, h, w, out.shape[2], out.shape[3], x.stride(0), x.stride(2), x.stride(3), x.stride(1),
        out.stride(0), out.stride(2), out.stride(3), out.stride(1), tiles_h, tiles_w,
        CIN=p["cin"], CEXP=p["cexp"], COUT=p["cout"], STRIDE=s,
        HAS_EXPAND=block["expand"] is not None, RESIDUAL=block["residual"], **g,
    )
    return out
