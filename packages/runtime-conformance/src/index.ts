export {
  describeProviderConformance,
  LETTER_COUNT_TASK,
  type ProviderUnderTest,
  solveLetterCount,
} from "./provider-conformance.js";
export {
  GATEWAY_CA,
  type GatewayTarget,
  startTlsGateway,
  type TlsGateway,
  type TlsGatewayOptions,
} from "./tls-gateway.js";
