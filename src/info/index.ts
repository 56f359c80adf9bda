export * from "./entropy.js";
