export { DcsProxy, describeToxic, type DcsProxyOptions } from "./proxy.js";
export { ContainerDcsProxy, DCS_PROXY_NODE, type ContainerDcsProxyOptions } from "./container-proxy.js";
export { startLabDcsProxy } from "./lab-proxy.js";
export { REQUEST_KINDS, requestKind, type RequestKind } from "./request-kind.js";
export { JsonMessageSplitter, describeWatchMessage, type WatchMessageInfo, type WatchEventInfo } from "./watch-messages.js";
export { LeaderView, rangeCovers } from "./leader-view.js";
export * from "./types.js";
