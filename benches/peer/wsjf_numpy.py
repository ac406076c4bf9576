#!/usr/bin/env python3
"""A NumPy peer of `tradeoff simulate --strategies wsjf`, written from SPEC "Simulator".

It reads the same scenario (TOML with tomllib, initiatives from `[[initiative]]` tables and/or
the CSV file that `scenario.initiatives` names), samples the same kind of futures and replays the
`wsjf` strategy on a chunk of trials at once. Arrays are [items in WSJF rank order, trials]
(or [trials]); Python loops only over periods (a period's deliveries decide the next period's
eligibility and drag) and, inside a period, over rank positions: the priority fill is
sequential in rank (each item takes min(what it wants, the budget left)), and each step is one
[trials] vector operation; the loop stops as soon as every trial's budget is spent.
(The loop-free form, grant = clip(budget - cumulative want of the items ranked before, 0,
want), gives the same grants but NumPy's cumsum along either axis made it 3-10x slower.)

Semantics implemented (SPEC "Simulator", the single-team case; `[[team]]` is refused):
- per trial: Beta-PERT draws (NumPy's exact Beta(alpha, beta), alpha = 1 + 4 (m - a)/(b - a),
  beta = 1 + 4 (b - m)/(b - a)) for every three-point effort, value, one-time value, risk
  number, incident impact and the debt growth; remaining effort = effort x (1 - progress);
- per period: capacity noise max(0, 1 + noise z); one incident draw per period for every item
  whose risk is {probability, impact};
- K_t = A_t noise_t (1 - drag_t), A_t = C_t (1 - buffer), drag_t = max(0, min(ceiling, drag +
  growth (t - 1)) - relief of items delivered by the end of t - 1);
- s = stability_share.min reserved for stability items (first pass, in WSJF order); then all
  items share (1 - s) K_t (second pass); unused reserve is lost; stability_share.max is ignored
  (it binds only the planner);
- eligible: not delivered, every prerequisite delivered by the end of t - 1; at most
  team x weeks_per_period per period; delivered in t when the remaining effort is done
  (within 1e-9 relative);
- accounts discounted with d_t = (1 + r)^(-t / periods_per_year): value in every period after
  delivery plus terminal_periods x value x d_T, one-time value at d_D, cost of delay in periods
  1..D (1..T when never delivered), incidents in those same periods at impact x d_t, a missed
  soft deadline's penalty once, undiscounted; hard deadlines and commitments cost nothing.

The random numbers are NumPy's (PCG64, one child SeedSequence per chunk), not the Rust
binary's, so the two agree in distribution, not trial by trial. `--deterministic` replays the
future of means (no noise, incidents as expected losses), which must match
`tradeoff simulate --deterministic` to rounding: that checks the replay and the accounts exactly.
`--pert table` draws Beta-PERT by inverse CDF from a table of exact quantiles (faster than
NumPy's Beta sampler; 8,192 cells keep the CDF within 1e-4, SPEC's bound); `--pert rust`
mimics the 1,024-cell rows of src/simulate/pert.rs at commit 5751f02, to measure what they
do to the results.

Usage:
  python3 benches/peer/wsjf_numpy.py scenarios/portfolio-200.toml --trials 100000 \
      [--seed 42] [--chunk 4096] [--pert beta|table|rust] [--deterministic] \
      [--json out.json] [--compare rust.json]
"""

import argparse
import csv
import json
import math
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

PERIOD_DEFAULTS = {  # weeks_per_period, periods_per_year
    "quarter": (13.0, 4.0),
    "month": (4.33, 12.0),
    "sprint": (2.0, 26.0),
    "week": (1.0, 52.0),
    "day": (0.2, 260.0),
}
STABILITY_KINDS = {"debt", "migration", "infrastructure", "security"}
PRODUCT_KINDS = {"feature", "compliance"}
DONE_TOLERANCE = 1e-9
QUANTILES = (0.05, 0.10, 0.50, 0.90, 0.95)


# --------------------------------------------------------------------------------------------
# Loading (no validation beyond what the simulation needs: run `tradeoff validate` for that)
# --------------------------------------------------------------------------------------------

def estimate(x):
    """A number or {low, likely, high} -> (low, likely, high)."""
    if isinstance(x, dict):
        return (float(x["low"]), float(x["likely"]), float(x["high"]))
    return (float(x), float(x), float(x))


def est_mean(e):
    low, likely, high = e
    return likely if low == high else (low + 4.0 * likely + high) / 6.0


def csv_initiatives(path):
    """CSV rows as the dicts a TOML [[initiative]] table would be (SPEC "Initiatives from CSV")."""
    out = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            row = {k.strip(): (v or "").strip() for k, v in row.items()}
            if not any(row.values()):
                continue
            item, nested = {}, {}
            for col, cell in row.items():
                if cell == "":
                    continue
                for field in ("effort", "value", "one_time_value", "risk_if_deferred_impact",
                              "risk_if_deferred"):
                    head, _, point = col.rpartition("_")
                    if head == field and point in ("low", "likely", "high"):
                        nested.setdefault(field, {})[point] = float(cell)
                        break
                else:
                    if col == "risk_if_deferred_probability":
                        nested.setdefault("incident", {})["probability"] = float(cell)
                    elif col == "risk_if_deferred_impact":
                        nested.setdefault("incident", {})["impact"] = float(cell)
                    elif col == "deadline_period":
                        nested.setdefault("deadline", {})["period"] = int(cell)
                    elif col == "deadline_penalty":
                        nested.setdefault("deadline", {})["penalty"] = float(cell)
                    elif col in ("requires", "objectives"):
                        item[col] = [s.strip() for s in cell.split(";") if s.strip()]
                    elif col == "commit":
                        item[col] = cell.lower() == "true"
                    elif col in ("id", "name", "kind", "class", "business_outcome", "owner", "split"):
                        item[col] = cell
                    elif col == "deadline":
                        item[col] = int(cell)
                    else:
                        item[col] = float(cell)
            for field in ("effort", "value", "one_time_value", "risk_if_deferred"):
                if field in nested:
                    item[field] = nested[field]
            if "risk_if_deferred_impact" in nested:
                nested.setdefault("incident", {})["impact"] = nested["risk_if_deferred_impact"]
            if "incident" in nested:
                item["risk_if_deferred"] = nested["incident"]
            if "deadline" in nested:
                item["deadline"] = nested["deadline"]
            out.append(item)
    return out


def load(path):
    path = Path(path)
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    if doc.get("team"):
        sys.exit("wsjf_numpy.py: scenarios with [[team]] are not implemented by this peer")
    sc = doc["scenario"]
    label = sc.get("period_label", "quarter")
    wpp_default, ppy_default = PERIOD_DEFAULTS[label]
    periods = int(sc["periods"])
    cap = doc["capacity"]
    per_period = cap["per_period"]
    if not isinstance(per_period, list):
        per_period = [per_period] * periods
    share = cap.get("stability_share", {"min": 0.0, "max": 1.0})
    share_min = float(share.get("min", 0.0)) if isinstance(share, dict) else float(share)
    debt = doc.get("debt", {})
    items = list(doc.get("initiative", []))
    if "initiatives" in sc:
        csv_path = path.parent / sc["initiatives"]
        if csv_path.suffix.lower() != ".csv":
            sys.exit("wsjf_numpy.py: only CSV initiative files are implemented by this peer")
        items += csv_initiatives(csv_path)
    if any("owner" in i or "split" in i for i in items):
        sys.exit("wsjf_numpy.py: owner/split (teams) are not implemented by this peer")
    return {
        "periods": periods,
        "weeks_per_period": float(sc.get("weeks_per_period", wpp_default)),
        "periods_per_year": float(sc.get("periods_per_year", ppy_default)),
        "discount_rate": float(sc.get("discount_rate", 0.0)),
        "terminal_periods": float(sc.get("terminal_periods", 0)),
        "capacity": [float(c) for c in per_period],
        "buffer": float(cap.get("buffer", 0.0)),
        "share_min": share_min,
        "noise": float(cap.get("noise", 0.0)),
        "drag": float(debt.get("drag", 0.0)),
        "growth": estimate(debt.get("growth", 0.0)),
        "ceiling": float(debt.get("ceiling", 1.0)),
        "items": items,
    }


# --------------------------------------------------------------------------------------------
# The scenario as arrays, items in WSJF rank order
# --------------------------------------------------------------------------------------------

def pert_quantile_rows(alphas, cells, grid=1 << 14):
    """Quantiles Q(k / cells), k = 0..cells, of Beta(alpha, 6 - alpha) for each alpha: the CDF
    by the trapezoid rule on `grid` intervals of [0, 1] (normalised, so no Beta function is
    needed), inverted by linear interpolation. Accurate to about 1e-8 here (alpha in [1, 5])."""
    x = np.linspace(0.0, 1.0, grid + 1)
    u = np.arange(cells + 1) / cells
    rows = np.empty((len(alphas), cells + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        lx, l1x = np.log(x), np.log1p(-x)
        for k, a in enumerate(alphas):
            pdf = np.exp(np.nan_to_num((a - 1.0) * lx, nan=0.0, neginf=-np.inf)
                         + np.nan_to_num((5.0 - a) * l1x, nan=0.0, neginf=-np.inf))
            cdf = np.concatenate([[0.0], np.cumsum(pdf[1:] + pdf[:-1])])
            rows[k] = np.interp(u, cdf / cdf[-1], x)
    return rows


class Est:
    """Three-point estimates of a set of items as arrays; draws Beta-PERT for the uncertain ones."""

    def __init__(self, triples):
        t = np.array(triples, dtype=float).reshape(-1, 3)
        self.low, self.likely, self.high = t[:, 0], t[:, 1], t[:, 2]
        self.uncertain = np.flatnonzero(self.low < self.high)
        u = self.uncertain
        rng_ = self.high[u] - self.low[u]
        self.alpha = 1.0 + 4.0 * (self.likely[u] - self.low[u]) / rng_
        self.beta = 6.0 - self.alpha
        self.range = rng_
        self.mean = np.where(self.low < self.high,
                             (self.low + 4 * self.likely + self.high) / 6, self.likely)

        self.cells = None

    def use_table(self, cells, rust_like=False):
        """Draw by inverse CDF from a table of `cells` + 1 exact quantiles per shape (linear
        interpolation between them) instead of NumPy's Beta sampler. `rust_like`: the Rust
        binary's rows as of commit 5751f02 (src/simulate/pert.rs: 1,024 cells of f32
        quantiles on a grid of alpha in steps of 1/16, blended linearly to the estimate's
        alpha, stored as round(Q x 65,535)), to measure what that approximation does."""
        self.cells = cells
        if not rust_like:
            shapes, self.shape_of = np.unique(self.alpha, return_inverse=True)
            self.quantiles = pert_quantile_rows(shapes, cells).ravel()
            return
        assert cells == 1024
        grid = pert_quantile_rows(1.0 + np.arange(65) / 16.0, cells).astype(np.float32)
        position = (np.clip(self.alpha, 1.0, 5.0) - 1.0) / 4.0 * 64
        row = np.minimum(np.floor(position).astype(int), 63)
        weight = (position - row).astype(np.float32).astype(np.float64)
        lo, hi = grid[row].astype(np.float64), grid[row + 1].astype(np.float64)
        q = np.clip(lo + weight[:, None] * (hi - lo), 0.0, 1.0)
        self.shape_of = np.arange(self.alpha.size)
        self.quantiles = (np.round(q * 65535.0) / 65535.0).ravel()

    def sample(self, rng, n_trials, factor=None, means=False):
        """Draws [items, trials] (fixed estimates at their value; `means`: every estimate at
        its mean)."""
        out = np.empty((self.low.size, n_trials))
        out[:] = (self.mean if means else self.likely)[:, None]
        u = self.uncertain
        if u.size and not means:
            if self.cells is None:
                b = rng.beta(self.alpha[:, None], self.beta[:, None], size=(u.size, n_trials))
            else:
                pos = rng.random((u.size, n_trials)) * self.cells
                cell = pos.astype(np.int64)
                pos -= cell                                   # position inside the cell
                cell += (self.shape_of * (self.cells + 1))[:, None]
                q0 = self.quantiles[cell]
                b = q0 + pos * (self.quantiles[cell + 1] - q0)
            out[u] = self.low[u, None] + self.range[:, None] * b
        if factor is not None:
            out *= factor[:, None]
        return out


class Model:
    def __init__(self, sc):
        items = sc["items"]
        n, T = len(items), sc["periods"]
        self.ids_file = [i["id"] for i in items]
        index = {iid: k for k, iid in enumerate(self.ids_file)}

        def risk_mean(i):
            r = i.get("risk_if_deferred")
            if r is None:
                return 0.0
            if isinstance(r, dict) and ("probability" in r or "impact" in r):
                return float(r["probability"]) * est_mean(estimate(r["impact"]))
            return est_mean(estimate(r))

        # WSJF: (mean value + expected cost of delay) / mean remaining effort, highest first,
        # ties in file order (a stable sort); NaN last.
        score = []
        for i in items:
            rem = est_mean(estimate(i["effort"])) * (1.0 - float(i.get("progress", 0.0)))
            with np.errstate(all="ignore"):
                s = np.float64(est_mean(estimate(i.get("value", 0.0))) + risk_mean(i)) / rem
            score.append(-math.inf if math.isnan(s) else float(s))
        order = sorted(range(n), key=lambda k: -score[k])
        self.order = np.array(order)             # rank -> file index
        self.rank_of = np.empty(n, dtype=int)    # file index -> rank
        self.rank_of[self.order] = np.arange(n)
        ranked = [items[k] for k in order]

        self.n, self.T = n, T
        self.share = sc["share_min"]
        self.A = np.array(sc["capacity"]) * (1.0 - sc["buffer"])
        self.noise, self.drag, self.ceiling = sc["noise"], sc["drag"], sc["ceiling"]
        self.growth = Est([sc["growth"]])
        d = (1.0 + sc["discount_rate"]) ** (-np.arange(T + 1) / sc["periods_per_year"])
        self.d = d
        term = sc["terminal_periods"]
        # Settlement weights by delivery period p = 0..T (0: not delivered in the horizon).
        self.value_w = np.array([0.0] + [d[p + 1:].sum() + term * d[T] for p in range(1, T + 1)])
        self.one_time_w = np.array([0.0] + [d[p] for p in range(1, T + 1)])
        self.delay_w = np.array([d[1:].sum()] + [d[1:p + 1].sum() for p in range(1, T + 1)])

        classes = []
        for i in ranked:
            c = i.get("class")
            classes.append(c == "stability" if c else i["kind"] in STABILITY_KINDS)
        self.is_stab = np.array(classes)
        wpp = sc["weeks_per_period"]
        self.limit = np.array([float(i["team"]) * wpp if "team" in i else np.inf for i in ranked])
        self.remaining_factor = np.array([1.0 - float(i.get("progress", 0.0)) for i in ranked])
        self.effort = Est([estimate(i["effort"]) for i in ranked])
        self.value = Est([estimate(i.get("value", 0.0)) for i in ranked])
        self.one_time = Est([estimate(i.get("one_time_value", 0.0)) for i in ranked])
        relief = np.array([float(i.get("debt_relief", 0.0)) for i in ranked])
        self.relief_cols = np.flatnonzero(relief)
        self.relief_vals = relief[self.relief_cols]

        risk_cols, risk_est, inc_cols, inc_p, inc_est = [], [], [], [], []
        for r, i in enumerate(ranked):
            risk = i.get("risk_if_deferred")
            if risk is None:
                continue
            if isinstance(risk, dict) and ("probability" in risk or "impact" in risk):
                inc_cols.append(r)
                inc_p.append(float(risk["probability"]))
                inc_est.append(estimate(risk["impact"]))
            else:
                risk_cols.append(r)
                risk_est.append(estimate(risk))
        self.risk_cols, self.risk = np.array(risk_cols, dtype=int), Est(risk_est)
        self.inc_cols, self.inc_p = np.array(inc_cols, dtype=int), np.array(inc_p)
        self.impact = Est(inc_est)

        pen_cols, pen_k, pen_v, hard = [], [], [], []
        for r, i in enumerate(ranked):
            dl = i.get("deadline")
            if isinstance(dl, dict) and float(dl["penalty"]) != 0.0:
                pen_cols.append(r)
                pen_k.append(int(dl["period"]))
                pen_v.append(float(dl["penalty"]))
        self.pen_cols, self.pen_k = np.array(pen_cols, dtype=int), np.array(pen_k)
        self.pen_v = np.array(pen_v)

        # Prerequisites as edges (prerequisite rank -> dependent rank), grouped by dependent.
        edges = []
        for r, i in enumerate(ranked):
            for j in i.get("requires", []):
                edges.append((r, self.rank_of[index[j]]))
        edges.sort()
        self.dep_src = np.array([e[1] for e in edges], dtype=int)
        dsts = [e[0] for e in edges]
        self.dep_dst = np.array(sorted(set(dsts)), dtype=int)
        self.dep_starts = np.array([dsts.index(k) for k in self.dep_dst], dtype=int)
        self.single_prereq = len(dsts) == len(set(dsts))


# --------------------------------------------------------------------------------------------
# One chunk of trials
# --------------------------------------------------------------------------------------------

def fill(ranks, want, budget, out):
    """Priority fill: gives each rank in `ranks` (in order) min(what it wants, the budget left),
    one [trials] vector per rank; stops early once every trial's budget is spent. Writes the
    grants into the rows of `out` (rows after an early stop are left as they are: zero them
    first) and returns the number of ranks visited."""
    for k, r in enumerate(ranks):
        g = np.minimum(want[r], budget, out=out[r])
        budget -= g
        if k & 7 == 7 and not budget.any():
            return k + 1
    return len(ranks)


def simulate_chunk(m, rng, N, times, det=False):
    """N trials at once; arrays are [items in WSJF rank order, trials]. `det`: the future of
    means (no noise, incidents as expected losses in the cost of delay), like --deterministic."""
    t0 = time.perf_counter()
    T, n = m.T, m.n
    # Sampled once per trial (in this order; NumPy's PCG64 stream of the chunk).
    growth = m.growth.sample(rng, N, means=det)[0]
    effort = m.effort.sample(rng, N, m.remaining_factor, means=det)
    value = m.value.sample(rng, N, means=det)
    one_time = m.one_time.sample(rng, N, means=det)
    risk = m.risk.sample(rng, N, means=det)
    impact = m.impact.sample(rng, N, means=det)
    # Sampled per period.
    if det:
        noise = np.ones((T, N))
    elif m.noise > 0:
        noise = np.maximum(0.0, 1.0 + m.noise * rng.standard_normal((T, N)))
    else:
        noise = np.ones((T, N))
    if det:
        incidents = np.zeros((m.inc_cols.size, T, N), dtype=bool)
    else:
        incidents = rng.random((m.inc_cols.size, T, N)) < m.inc_p[:, None, None]
    t1 = time.perf_counter()

    # Replay `wsjf`. A delivered item's remaining effort is set to exactly 0, so it wants no
    # more work: only items with prerequisites need an eligibility mask.
    rem = effort.copy()
    tol = DONE_TOLERANCE * np.abs(effort)
    done = np.zeros((n, N), dtype=bool)
    # Periods at whose end each item is done: delivery period D = T + 1 - count (0: never).
    done_count = np.zeros((n, N), dtype=np.uint8)
    relief = np.zeros(N)
    want = np.empty((n, N))
    grant = np.empty((n, N))
    limit = m.limit[:, None]
    deps = m.dep_dst
    stab_ranks = np.flatnonzero(m.is_stab).tolist()
    all_ranks = list(range(n))
    for t in range(1, T + 1):
        drag = np.maximum(0.0, np.minimum(m.ceiling, m.drag + growth * (t - 1)) - relief)
        K = np.maximum(0.0, m.A[t - 1] * noise[t - 1] * (1.0 - drag))
        # Items whose prerequisites are all delivered by the end of t - 1 (1.0) or not (0.0).
        if deps.size:
            ok = done[m.dep_src]
            if not m.single_prereq:
                ok = np.logical_and.reduceat(ok, m.dep_starts, axis=0)
            ok = ok.astype(float)
        reserve = m.share * K
        shared = K - reserve
        # Reserve: stability items only, in rank order, within their team limit.
        np.minimum(rem, limit, out=want)
        if deps.size:
            want[deps] *= ok
        grant.fill(0.0)
        if m.share > 0:
            fill(stab_ranks, want, reserve, grant)
        rem -= grant
        # Shared: everybody, within what is left of the team limit.
        np.subtract(limit, grant, out=want)
        np.minimum(rem, want, out=want)
        if deps.size:
            want[deps] *= ok
        visited = fill(all_ranks, want, shared, grant)
        rem[:visited] -= grant[:visited]
        # Deliveries at the end of the period (done items have rem = 0, so finished ⊇ done).
        finished = rem <= tol
        if m.relief_cols.size:
            new = finished[m.relief_cols] & ~done[m.relief_cols]
            relief += m.relief_vals @ new
        np.multiply(rem, ~finished, out=rem)
        done = finished
        done_count += done.view(np.uint8)
    delivered = np.where(done_count > 0, T + 1 - done_count.astype(np.int64), 0)
    t2 = time.perf_counter()

    # Accounts.
    value_earned = (value * m.value_w[delivered]).sum(0) + (one_time * m.one_time_w[delivered]).sum(0)
    d_risk = delivered[m.risk_cols]
    cost_of_delay = (risk * m.delay_w[d_risk]).sum(0)
    d_inc = delivered[m.inc_cols]
    if det:
        cost_of_delay += (m.inc_p[:, None] * impact * m.delay_w[d_inc]).sum(0)
    paid_until = np.where(d_inc == 0, T, d_inc)                       # [m_inc, N]
    in_paid = np.arange(1, T + 1)[None, :, None] <= paid_until[:, None, :]
    incident_losses = (np.einsum("itn,t->in", incidents & in_paid, m.d[1:]) * impact).sum(0)
    d_pen = delivered[m.pen_cols]
    missed = (d_pen == 0) | (d_pen > m.pen_k[:, None])
    penalties = m.pen_v @ missed
    t3 = time.perf_counter()
    times["sample"] += t1 - t0
    times["replay"] += t2 - t1
    times["settle"] += t3 - t2
    parts = np.stack([value_earned, cost_of_delay, incident_losses, penalties], axis=1)
    # Deliveries by period: counts[item, p] for p = 0..T (0: not in the horizon).
    counts = np.zeros((n, T + 1), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(n), N), delivered.ravel()), 1)
    return parts, counts


def simulate(m, n_trials, seed, chunk, det=False, pert_cells=None, rust_like=False):
    t0 = time.perf_counter()
    if pert_cells:
        for est in (m.growth, m.effort, m.value, m.one_time, m.risk, m.impact):
            est.use_table(pert_cells, rust_like)
    table_seconds = time.perf_counter() - t0
    n_chunks = -(-n_trials // chunk)
    streams = np.random.SeedSequence(seed).spawn(n_chunks)
    parts = np.empty((n_trials, 4))
    delivered_count = np.zeros((m.n, m.T + 1), dtype=np.int64)
    times = {"table": table_seconds, "sample": 0.0, "replay": 0.0, "settle": 0.0}
    for c in range(n_chunks):
        lo, hi = c * chunk, min(n_trials, (c + 1) * chunk)
        p, dc = simulate_chunk(m, np.random.Generator(np.random.PCG64(streams[c])), hi - lo, times, det)
        parts[lo:hi] = p
        delivered_count += dc
    net = parts[:, 0] - parts[:, 1] - parts[:, 2] - parts[:, 3]
    q = np.quantile(net, QUANTILES)       # linear interpolation, h = (n - 1) p
    summary = {
        "items": m.n,
        "periods": m.T,
        "trials": n_trials,
        "seed": seed,
        "chunk": chunk,
        "net_value": {
            "mean": float(net.mean()),
            "sd": float(net.std(ddof=1)) if n_trials > 1 else 0.0,
            **{f"p{round(p * 100)}": float(x) for p, x in zip(QUANTILES, q)},
        },
        "parts": {
            name: {"mean": float(parts[:, k].mean()),
                   "sd": float(parts[:, k].std(ddof=1)) if n_trials > 1 else 0.0}
            for k, name in enumerate(["value_earned", "cost_of_delay", "incident_losses", "penalties"])
        },
        # By file order, like the Rust output's `initiatives`.
        "p_delivered": {m.ids_file[f]: float(delivered_count[m.rank_of[f], 1:].sum() / n_trials)
                        for f in range(m.n)},
        # P(delivered by the end of k), k = 1..T.
        "delivered_by": {m.ids_file[f]: (np.cumsum(delivered_count[m.rank_of[f], 1:]) / n_trials).tolist()
                         for f in range(m.n)},
        # The smallest k with P(delivered by k) >= 0.5, else None.
        "delivery_p50": {m.ids_file[f]: next((k + 1 for k, c in enumerate(
                            np.cumsum(delivered_count[m.rank_of[f], 1:])) if c >= 0.5 * n_trials), None)
                         for f in range(m.n)},
        "phase_seconds": times,
    }
    return summary


# --------------------------------------------------------------------------------------------
# Comparison with the Rust binary's JSON
# --------------------------------------------------------------------------------------------

def zs(diff, se):
    return f"{diff / se:+.2f} SE" if se > 0 else "n/a (one trial)"


def compare(summary, rust_path):
    """Prints how far the peer's figures are from the Rust binary's, in standard errors of the
    difference (independent random numbers on the two sides). Returns the z of the mean."""
    with open(rust_path) as f:
        rust = json.load(f)
    s = next(x for x in rust["strategies"] if x["name"] == "wsjf")
    n1, n2 = summary["trials"], rust["trials"]
    a, b = summary["net_value"], s["net_value"]
    se = math.sqrt(a["sd"] ** 2 / n1 + b["sd"] ** 2 / n2)
    print(f"agreement with {rust_path} (numpy - rust; {n1:,} and {n2:,} trials; "
          f"SE = standard error of the difference)")
    diff = a["mean"] - b["mean"]
    print(f"  net value mean   {a['mean']:14,.0f} vs {b['mean']:14,.0f}  diff {diff:+10,.0f}"
          f" ({diff / abs(b['mean']):+.2e} relative) = {zs(diff, se)} (SE {se:,.0f})")
    # The median's standard error: about sd x sqrt(pi / 2) / sqrt(n) for a near-normal spread.
    d50 = a["p50"] - b["p50"]
    print(f"  net value P50    {a['p50']:14,.0f} vs {b['p50']:14,.0f}  diff {d50:+10,.0f}"
          f" = {zs(d50, se * math.sqrt(math.pi / 2))} (approx.)")
    if b["sd"] > 0:
        print(f"  net value sd     {a['sd']:14,.0f} vs {b['sd']:14,.0f}  ratio {a['sd'] / b['sd']:.4f}"
              f" (SE of the ratio about {math.sqrt(1 / (2 * n1) + 1 / (2 * n2)):.4f})")
    for name in ["value_earned", "cost_of_delay", "incident_losses", "penalties"]:
        pa, pb = summary["parts"][name], s[name]["mean"]
        # Rust's JSON has no sd of the parts: assume the same spread on both sides.
        sep = pa["sd"] * math.sqrt(1 / n1 + 1 / n2)
        print(f"  {name:16} {pa['mean']:14,.0f} vs {pb:14,.0f}  diff {pa['mean'] - pb:+10,.0f}"
              f" = {zs(pa['mean'] - pb, sep)}")
    worst = []
    for item in s["initiatives"]:
        p1, p2 = summary["p_delivered"][item["id"]], item["p_delivered"]
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        sep = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        worst.append((abs(p1 - p2) / sep if sep > 0 else (0.0 if p1 == p2 else math.inf),
                      item["id"], p1, p2))
    worst.sort(reverse=True)
    p50_differ = [item["id"] for item in s["initiatives"]
                  if item["delivery_p50"] != summary["delivery_p50"][item["id"]]]
    print(f"  delivery_p50 differs for {len(p50_differ)} of {len(worst)} initiatives"
          + (f": {', '.join(p50_differ[:5])}" if p50_differ else ""))
    z, iid, p1, p2 = worst[0]
    big = sum(1 for w in worst if w[0] > 4)
    print(f"  P(delivered), {len(worst)} initiatives: largest gap {iid} {p1:.4f} vs {p2:.4f}"
          f" ({z:.1f} SE); {big} beyond 4 SE")
    cells = []
    for item in s["initiatives"]:
        for k, (p1, p2) in enumerate(zip(summary["delivered_by"][item["id"]], item["delivered_by"])):
            pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
            sep = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
            if sep > 0:
                cells.append(((p1 - p2) / sep, item["id"], k + 1, p1, p2))
    if cells:
        zsq = sum(c[0] ** 2 for c in cells) / len(cells)
        c = max(cells, key=lambda c: abs(c[0]))
        print(f"  P(delivered by k), {len(cells)} initiative-periods: mean z^2 {zsq:.2f} (1 expected);"
              f" largest {c[1]} by {c[2]}: {c[3]:.4f} vs {c[4]:.4f} ({c[0]:+.1f} SE)")
    return diff / se if se > 0 else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--chunk", type=int, default=4096, help="trials per vectorised chunk")
    ap.add_argument("--deterministic", action="store_true",
                    help="one trial, means everywhere, no noise (compare with --deterministic)")
    ap.add_argument("--pert", choices=["beta", "table", "rust"], default="beta",
                    help="beta: NumPy's exact Beta sampler (default); table: inverse CDF from "
                         "a table of exact quantiles, linear in between; rust: the Rust "
                         "binary's 1,024-cell rows as of commit 5751f02 (for checking their accuracy)")
    ap.add_argument("--pert-cells", type=int, default=8192,
                    help="cells of the quantile table with --pert table (8192 keeps the CDF "
                         "within 1e-4 of the exact one, SPEC's bound)")
    ap.add_argument("--json", help="write the summary here")
    ap.add_argument("--compare", help="the JSON of `tradeoff simulate --strategies wsjf --format json`")
    args = ap.parse_args()
    model = Model(load(args.scenario))    # parsing and compiling: not timed
    start, cpu_start = time.perf_counter(), time.process_time()
    if args.deterministic:
        args.trials = 1
    if args.pert == "rust":
        args.pert_cells = 1024
    summary = simulate(model, args.trials, args.seed, args.chunk, args.deterministic,
                       args.pert_cells if args.pert != "beta" else None, args.pert == "rust")
    seconds = time.perf_counter() - start
    summary["seconds"] = seconds
    summary["cpu_seconds"] = time.process_time() - cpu_start
    cells = model.n * model.T * args.trials
    summary["ns_per_cell"] = seconds * 1e9 / cells
    nv = summary["net_value"]
    ph = summary["phase_seconds"]
    print(f"numpy {np.__version__}: {model.n} initiatives x {model.T} periods x {args.trials} trials,"
          f" wsjf (s = {model.share}), PERT draws: "
          + {"beta": "numpy Beta", "table": f"table of {args.pert_cells} cells",
             "rust": "the 1,024-cell rows of pert.rs at 5751f02"}[args.pert])
    print(f"  net value mean {nv['mean']:,.0f}  sd {nv['sd']:,.0f}  P50 {nv['p50']:,.0f}"
          f"  (P5 {nv['p5']:,.0f}, P95 {nv['p95']:,.0f})")
    print(f"  simulation {seconds:.3f} s (CPU {summary['cpu_seconds']:.3f} s)"
          f" = {summary['ns_per_cell']:.1f} ns per initiative·period·trial"
          f" (PERT table {ph['table']:.2f} s, sampling {ph['sample']:.2f} s, replay {ph['replay']:.2f} s, accounts {ph['settle']:.2f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)
    if args.compare:
        compare(summary, args.compare)


if __name__ == "__main__":
    main()
