export { HudkitError } from "./hudkit-error.js";
