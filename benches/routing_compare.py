#!/usr/bin/env python3
"""Solve the routing benchmark instances with OR-Tools and PyVRP at the same budgets as
`cargo run -p earlybird-benches --release --bin routing` and print the same table.

Usage: python3 benches/routing_compare.py [DATA_DIR] [--budgets 1 10] [--only tsp,vrptw,cvrp]
       python3 benches/routing_compare.py --side-by-side EARLYBIRD_OUTPUT COMPARE_OUTPUT
The second form solves nothing: it joins the saved output of the Rust benchmark and of this
script into one table per instance and the medians and cost ratios per family.

Creates a venv in `.venv/bench` (gitignored) with ortools and pyvrp on first run.
Conventions (see bench-data/README.md): TSPLIB and X nint(euclid); Solomon euclid truncated
to one decimal (x10 integers here, divided back before comparing), travel time = distance,
DUE DATE = latest service start, fleet 25; X fleet = max(k, routes of the BKS) + 2.
"""
import math
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv", "bench")
PINS = ["ortools==9.15.6755", "pyvrp==0.14.1", "numpy"]


def ensure_venv():
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "-q", *PINS])
    os.execv(py, [py, *sys.argv])


def read_tsp(path):
    coords, section = [], False
    for line in open(path):
        line = line.strip()
        if line.startswith("NODE_COORD_SECTION"):
            section = True
        elif line.startswith("EOF"):
            break
        elif section and line:
            _, x, y = line.split()[:3]
            coords.append((float(x), float(y)))
    return coords


def read_vrp(path):
    coords, demand, cap, section = [], [], 0, None
    for line in open(path):
        parts = line.split()
        if not parts:
            continue
        if parts[0].startswith("CAPACITY"):
            cap = int(parts[-1])
        elif parts[0].endswith("_SECTION"):
            section = parts[0]
        elif parts[0] == "EOF":
            break
        elif section == "NODE_COORD_SECTION":
            coords.append((float(parts[1]), float(parts[2])))
        elif section == "DEMAND_SECTION":
            demand.append(int(parts[1]))
    return coords, demand, cap


def read_solomon(path):
    lines = [l.split() for l in open(path)]
    fleet, cap = None, None
    rows = []
    for i, parts in enumerate(lines):
        if parts[:2] == ["NUMBER", "CAPACITY"]:
            fleet, cap = int(lines[i + 1][0]), int(lines[i + 1][1])
        elif len(parts) == 7 and all(p.lstrip("-").replace(".", "").isdigit() for p in parts):
            rows.append([float(p) for p in parts])
    return fleet, cap, rows


def read_sol(path):
    cost, routes = None, 0
    for line in open(path):
        if line.startswith("Route"):
            routes += 1
        elif line.startswith("Cost"):
            cost = float(line.split()[1])
    return cost, routes


def tsp_optima(data):
    best = {}
    for line in open(os.path.join(data, "tsplib", "solutions.txt")):
        if ":" in line:
            name, value = line.split(":", 1)
            try:
                best[name.strip()] = float(value.split()[0])
            except (ValueError, IndexError):
                pass
    return best


def nint_matrix(coords):
    return [[math.floor(math.hypot(a[0] - b[0], a[1] - b[1]) + 0.5) for b in coords] for a in coords]


def instances(data, only):
    out = []
    if "tsp" in only:
        best = tsp_optima(data)
        for f in sorted(os.listdir(os.path.join(data, "tsplib"))):
            if f.endswith(".tsp"):
                name = f[:-4]
                coords = read_tsp(os.path.join(data, "tsplib", f))
                out.append(dict(family="TSP", name=name, n=len(coords), ref=best[name], scale=1,
                                dist=nint_matrix(coords), demand=[0] * len(coords), cap=0, fleet=1,
                                tw=None, service=None, coords=coords))
    if "vrptw" in only:
        for f in sorted(os.listdir(os.path.join(data, "solomon"))):
            if f.endswith(".txt"):
                name = f[:-4]
                fleet, cap, rows = read_solomon(os.path.join(data, "solomon", f))
                ref, _ = read_sol(os.path.join(data, "solomon", name + ".sol"))
                coords = [(r[1], r[2]) for r in rows]
                dist = [[math.floor(10 * math.hypot(a[0] - b[0], a[1] - b[1])) for b in coords] for a in coords]
                out.append(dict(family="VRPTW", name=name, n=len(coords), ref=ref, scale=10, dist=dist,
                                demand=[int(r[3]) for r in rows], cap=cap, fleet=fleet,
                                tw=[(int(r[4] * 10), int(r[5] * 10)) for r in rows],
                                service=[int(r[6] * 10) for r in rows], coords=coords))
    if "cvrp" in only:
        for f in sorted(os.listdir(os.path.join(data, "cvrp-x")), key=lambda s: int(s.split("-")[1][1:]) if s.startswith("X-") else 0):
            if f.endswith(".vrp"):
                name = f[:-4]
                coords, demand, cap = read_vrp(os.path.join(data, "cvrp-x", f))
                ref, routes = read_sol(os.path.join(data, "cvrp-x", name + ".sol"))
                k = int(name.split("-k")[1])
                out.append(dict(family="CVRP", name=name, n=len(coords), ref=ref, scale=1,
                                dist=nint_matrix(coords), demand=demand, cap=cap, fleet=max(k, routes) + 2,
                                tw=None, service=None, coords=coords))
    return out


def solve_pyvrp(inst, budget):
    import numpy as np
    import pyvrp
    from pyvrp.stop import MaxRuntime
    t0 = time.perf_counter()
    n = inst["n"]
    locs = [pyvrp.Location(x=int(c[0]), y=int(c[1])) for c in inst["coords"]]
    tw = inst["tw"]
    if tw:
        depots = [pyvrp.Depot(location=0, tw_early=tw[0][0], tw_late=tw[0][1])]
        clients = [pyvrp.Client(location=i, delivery=[inst["demand"][i]], service_duration=inst["service"][i],
                                tw_early=tw[i][0], tw_late=tw[i][1]) for i in range(1, n)]
        vt = [pyvrp.VehicleType(num_available=inst["fleet"], capacity=[inst["cap"]], tw_early=tw[0][0], tw_late=tw[0][1])]
    else:
        depots = [pyvrp.Depot(location=0)]
        clients = [pyvrp.Client(location=i, delivery=[inst["demand"][i]]) for i in range(1, n)]
        cap = inst["cap"] if inst["family"] == "CVRP" else sum(inst["demand"]) + 1
        vt = [pyvrp.VehicleType(num_available=inst["fleet"], capacity=[cap])]
    mat = np.array(inst["dist"], dtype=np.int64)
    data = pyvrp.ProblemData(locations=locs, clients=clients, depots=depots, vehicle_types=vt,
                             distance_matrices=[mat], duration_matrices=[mat])
    res = pyvrp.solve(data, stop=MaxRuntime(budget), seed=1, display=False)
    wall = time.perf_counter() - t0
    best = res.best
    if not best.is_feasible():
        return None, wall, 0
    return best.distance() / inst["scale"], wall, best.num_routes()


def solve_ortools(inst, budget):
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    t0 = time.perf_counter()
    n, dist = inst["n"], inst["dist"]
    manager = pywrapcp.RoutingIndexManager(n, inst["fleet"], 0)
    routing = pywrapcp.RoutingModel(manager)
    transit = routing.RegisterTransitMatrix(dist)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    if inst["family"] != "TSP":
        dem = routing.RegisterUnaryTransitVector(inst["demand"])
        routing.AddDimensionWithVehicleCapacity(dem, 0, [inst["cap"]] * inst["fleet"], True, "Capacity")
    if inst["tw"]:
        service = inst["service"]
        timed = [[dist[i][j] + service[i] for j in range(n)] for i in range(n)]
        time_cb = routing.RegisterTransitMatrix(timed)
        horizon = inst["tw"][0][1]
        routing.AddDimension(time_cb, horizon, horizon, False, "Time")
        td = routing.GetDimensionOrDie("Time")
        for i in range(1, n):
            td.CumulVar(manager.NodeToIndex(i)).SetRange(*inst["tw"][i])
        for v in range(inst["fleet"]):
            td.CumulVar(routing.Start(v)).SetRange(*inst["tw"][0])
            td.CumulVar(routing.End(v)).SetRange(*inst["tw"][0])
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(budget * 1000))
    sol = routing.SolveWithParameters(params)
    wall = time.perf_counter() - t0
    if sol is None:
        return None, wall, 0
    routes = sum(1 for v in range(inst["fleet"]) if not routing.IsEnd(sol.Value(routing.NextVar(routing.Start(v)))))
    return sol.ObjectiveValue() / inst["scale"], wall, routes


def median(values):
    return statistics.median(values) if values else float("nan")


def read_rows(path):
    """(family, instance, solver, budget) -> (gap, cost) from a saved results table."""
    rows = {}
    for line in open(path):  # dicts keep insertion order: the file's instance order
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 7 or cells[0] not in ("TSP", "VRPTW", "CVRP"):
            continue
        try:
            budget, gap = float(cells[3]), float(cells[6])
        except ValueError:
            continue
        cost = float(cells[4]) if cells[4] not in ("none", "error") else math.inf
        rows[(cells[0], cells[1], cells[2], budget)] = (gap, cost)
    return rows


def side_by_side(ours_path, theirs_path):
    rows = read_rows(ours_path)
    rows.update(read_rows(theirs_path))
    solvers = ("earlybird", "ortools", "pyvrp")
    order = list(dict.fromkeys(k[1] for k in rows))
    keys = sorted({(k[0], k[1], k[3]) for k in rows},
                  key=lambda k: (("TSP", "VRPTW", "CVRP").index(k[0]), k[2], order.index(k[1])))
    show = lambda g: "no plan" if math.isinf(g) else f"{g:.2f}"
    print("| family | instance | budget s | earlybird gap % | OR-Tools gap % | PyVRP gap % |")
    print("|---|---|---:|---:|---:|---:|")
    for family, name, budget in keys:
        cells = [show(rows[(family, name, s, budget)][0]) if (family, name, s, budget) in rows else "-" for s in solvers]
        print(f"| {family} | {name} | {budget:g} | " + " | ".join(cells) + " |")
    print()
    print("| family | budget s | earlybird median gap % | OR-Tools median gap % | PyVRP median gap % | median cost ratio earlybird/OR-Tools | median cost ratio earlybird/PyVRP |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for family in ("TSP", "VRPTW", "CVRP"):
        for budget in sorted({k[2] for k in keys if k[0] == family}):
            names = [k[1] for k in keys if k[0] == family and k[2] == budget]
            med = lambda s: median([rows[(family, n, s, budget)][0] for n in names if (family, n, s, budget) in rows])
            def ratio(other):
                r = [rows[(family, n, "earlybird", budget)][1] / rows[(family, n, other, budget)][1]
                     for n in names if (family, n, other, budget) in rows and (family, n, "earlybird", budget) in rows]
                r = [x for x in r if 0 < x < math.inf]  # instances where both have a plan
                return f"{median(r):.4f}" if r else "-"
            print(f"| {family} | {budget:g} | {show(med('earlybird'))} | {show(med('ortools'))} | {show(med('pyvrp'))} | {ratio('ortools')} | {ratio('pyvrp')} |")


def main():
    args = sys.argv[1:]
    if args[:1] == ["--side-by-side"] and len(args) == 3:
        side_by_side(args[1], args[2])
        return
    ensure_venv()
    budgets, only, data = [1.0, 10.0], {"tsp", "vrptw", "cvrp"}, None
    i = 0
    while i < len(args):
        if args[i] == "--budgets":
            budgets = []
            while i + 1 < len(args) and not args[i + 1].startswith("--"):
                budgets.append(float(args[i + 1]))
                i += 1
        elif args[i] == "--only":
            only = set(args[i + 1].split(","))
            i += 1
        else:
            data = args[i]
        i += 1
    data = data or os.environ.get("EARLYBIRD_BENCH_DATA") or os.path.join(ROOT, "..", "shared", "bench-data")
    rows = []
    print("| family | instance | solver | budget s | cost | ref | gap % | wall s | vehicles |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for inst in instances(data, only):
        for budget in budgets:
            for solver, fn in (("ortools", solve_ortools), ("pyvrp", solve_pyvrp)):
                cost, wall, used = fn(inst, budget)
                gap = 100.0 * (cost - inst["ref"]) / inst["ref"] if cost is not None else math.inf
                rows.append((inst["family"], solver, budget, gap))
                shown = f"{cost:.1f}" if cost is not None else "none"
                print(f"| {inst['family']} | {inst['name']} | {solver} | {budget:g} | {shown} | {inst['ref']:g} | "
                      f"{gap:.2f} | {wall:.2f} | {used} |", flush=True)
    print()
    print("| family | solver | budget s | median gap % | no plan |")
    print("|---|---|---:|---:|---:|")
    for family in ("TSP", "VRPTW", "CVRP"):
        for solver in ("ortools", "pyvrp"):
            for budget in budgets:
                gaps = [r[3] for r in rows if r[0] == family and r[1] == solver and r[2] == budget]
                if gaps:
                    failed = sum(1 for g in gaps if math.isinf(g))
                    print(f"| {family} | {solver} | {budget:g} | {median(gaps):.2f} | {failed} |")


if __name__ == "__main__":
    main()
