import { describe, expect, it } from "vitest";
import type { Environment } from "../../environment/environment.js";
import { bind } from "../server.js";
import { type CaseEnv, type ConformanceCase, loadAllCases } from "./case-file.js";
import { type ReplayTransport, replayCase, webSocketIneligibility } from "./case-replayer.js";
import { createConfTunnelEnv } from "./conf-tunnel-env.js";
import { createConformanceEnv } from "./conformance-env.js";
import { createDefaultEnv } from "./default-env.js";
import { checkExemption, EXEMPTIONS, hudkitSteps } from "./exemptions.js";
import { TCP_ONLY_CASES } from "./transport-plan.js";

/**
 * Replays the recorded vectors of the Python reference server (`/work/shared/conformance`)
 * against hudkit's server: every case over TCP on a fresh server, and every control-session case
 * again over a WebSocket. Intentional differences are in `exemptions.ts` and are asserted, not
 * skipped.
 */

const ENVS: Record<CaseEnv, () => Environment> = {
  conformance: createConformanceEnv,
  "conf-tunnel": createConfTunnelEnv,
  environment: createDefaultEnv,
};

const CASES = loadAllCases();
const WS_CASES = CASES.filter((testCase) => webSocketIneligibility(testCase) === undefined);

/** Each case gets a fresh server (process state must not leak), closed afterwards. */
async function replayOnFreshServer(testCase: ConformanceCase, transport: ReplayTransport): Promise<void> {
  const server = await bind(ENVS[testCase.env](), { host: "127.0.0.1", port: 0 });
  try {
    await replayCase(testCase, hudkitSteps(testCase), { port: server.port, transport });
  } finally {
    await server.close();
  }
}

describe.each([
  { transport: "tcp" as const, cases: CASES },
  { transport: "ws" as const, cases: WS_CASES },
])("conformance vectors over $transport", ({ transport, cases }) => {
  it.each(cases.map((testCase) => ({ name: testCase.case, testCase })))("$name", async ({ testCase }) => {
    await replayOnFreshServer(testCase, transport);
  });
});

describe("conformance suite coverage", () => {
  it("runs every case of index.json over TCP", () => {
    expect(CASES.length).toBeGreaterThan(0);
    expect(new Set(CASES.map((testCase) => testCase.case)).size).toBe(CASES.length);
  });

  it("runs every case over WebSocket too, or lists why it is TCP-only", () => {
    for (const testCase of CASES) {
      const ineligible = webSocketIneligibility(testCase);
      const listed = TCP_ONLY_CASES[testCase.case];
      if (ineligible === undefined) {
        expect(
          listed,
          `${testCase.case} runs over WebSocket, so it must not be listed as TCP-only`,
        ).toBeUndefined();
      } else {
        expect(
          listed,
          `${testCase.case} is TCP-only (${ineligible}); list it in TCP_ONLY_CASES`,
        ).toBeTruthy();
      }
    }
    const known = new Set(CASES.map((testCase) => testCase.case));
    for (const name of Object.keys(TCP_ONLY_CASES))
      expect(known.has(name), `${name} is not in index.json`).toBe(true);
    expect(WS_CASES.length + Object.keys(TCP_ONLY_CASES).length).toBe(CASES.length);
  });

  it("applies every exemption to an existing expectation line that it fits", () => {
    const byName = new Map(CASES.map((testCase) => [testCase.case, testCase]));
    const problems: string[] = [];
    for (const exemption of EXEMPTIONS) {
      const testCase = byName.get(exemption.case);
      if (!testCase) problems.push(`${exemption.case}: no such case in index.json`);
      else problems.push(...checkExemption(exemption, testCase));
    }
    expect(problems).toEqual([]);
  });

  it("changes exactly the exempted lines and nothing else", () => {
    for (const testCase of CASES) {
      const exempted = new Set(EXEMPTIONS.filter((e) => e.case === testCase.case).map((e) => e.line));
      const steps = hudkitSteps(testCase);
      for (const step of testCase.steps) {
        const replayed = steps.filter((candidate) => candidate.line === step.line);
        if (exempted.has(step.line))
          expect(replayed, `${testCase.case} line ${step.line}`).not.toEqual([step]);
        else expect(replayed, `${testCase.case} line ${step.line}`).toEqual([step]);
      }
    }
  });
});
