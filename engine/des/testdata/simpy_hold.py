#!/usr/bin/env python3
"""The hold model of engine/des's BenchmarkHold, on SimPy.

With PENDING events pending, each event that fires schedules one new event
an exponential delay (mean 1 ms) later; the first events are spread over
PENDING ms. Prints one JSON line with the CPU time the simulation took and
its events per CPU second (the fastest of --repeat runs). BenchmarkHoldVsSimPy runs this script and the
kernel on the same model and reports the ratio.

It runs on SimPy 2 (Debian's python3-simpy, "yield hold") and SimPy 3 or 4
(pip's simpy, "yield env.timeout"), whichever is installed:

    /usr/bin/python3 engine/des/testdata/simpy_hold.py --pending 100 --events 300000
"""

import argparse
import json
import random
import time


def run_simpy2(pending, events, rng):
    import SimPy
    from SimPy import Simulation as sim

    state = {"fired": 0}

    class Holder(sim.Process):
        def run(self):
            while True:
                state["fired"] += 1
                if state["fired"] >= events:
                    sim.stopSimulation()
                yield sim.hold, self, rng.expovariate(1.0)

    sim.initialize()
    for _ in range(pending):
        h = Holder()
        sim.activate(h, h.run(), at=rng.expovariate(1.0 / pending))
    start = time.process_time()
    sim.simulate(until=1e18)
    return state["fired"], time.process_time() - start, "SimPy " + SimPy.__version__


def run_simpy3(pending, events, rng):
    import simpy

    env = simpy.Environment()
    state = {"fired": 0}

    def holder(env, first):
        yield env.timeout(first)
        while True:
            state["fired"] += 1
            if state["fired"] >= events:
                stop.succeed()
            yield env.timeout(rng.expovariate(1.0))

    stop = env.event()
    for _ in range(pending):
        env.process(holder(env, rng.expovariate(1.0 / pending)))
    start = time.process_time()
    env.run(until=stop)
    return state["fired"], time.process_time() - start, "simpy " + simpy.__version__


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=100)
    parser.add_argument("--events", type=int, default=300000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs; the fastest is reported")
    args = parser.parse_args()
    try:
        import SimPy  # noqa: F401
        run = run_simpy2
    except ImportError:
        run = run_simpy3
    best = None
    for i in range(args.repeat):
        result = run(args.pending, args.events, random.Random(args.seed + i))
        if best is None or result[1] < best[1]:
            best = result
    fired, cpu, version = best
    print(json.dumps({
        "simulator": version,
        "pending": args.pending,
        "events": fired,
        "cpu_seconds": cpu,
        "events_per_cpu_second": fired / cpu,
    }))


if __name__ == "__main__":
    main()
