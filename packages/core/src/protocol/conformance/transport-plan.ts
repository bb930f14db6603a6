/**
 * Which cases also run over a WebSocket control session (`ws://host:port/`, one JSON object per
 * text message) and which run over TCP only, with the reason. Every case runs over TCP. The
 * test checks this table against `webSocketIneligibility`, so it cannot drift from the cases.
 */
export const TCP_ONLY_CASES: Readonly<Record<string, string>> = {
  encoding_edges:
    "its first frame is a send_bytes with a UTF-8 BOM: a byte-level framing property of TCP lines",
  eof_before_first_frame: "half_close (FIN with reads kept) has no WebSocket form",
  framing_pipelined_and_split: "pipelined and split send_bytes segments test TCP line framing",
  line_limit: "frame-size limits are a property of TCP line framing (a WebSocket message has its own length)",
  tunnel_banner: "a tunnel.open capability stream (WebSocket streams use /tunnel/<name>)",
  tunnel_concurrent: "tunnel.open capability streams beside a control session",
  tunnel_dead_backend: "a tunnel.open preface",
  tunnel_echo: "a tunnel.open capability stream with half-close propagation",
  tunnel_error_no_id: "a tunnel.open preface",
  tunnel_large_payload: "a tunnel.open capability stream",
  tunnel_missing_capability: "tunnel.open prefaces",
  tunnel_no_id: "a tunnel.open capability stream",
  tunnel_no_port: "a tunnel.open preface",
  tunnel_preface_leftover: "a tunnel.open preface and stream bytes in one TCP segment",
  tunnel_preface_too_long: "a tunnel.open preface over the reference's TCP line limit",
  tunnel_string_id: "a tunnel.open capability stream",
  tunnel_unknown_capability: "tunnel.open prefaces",
  tunnel_url_host_port_only: "a tunnel.open capability stream",
};
