// Preloaded with `node --require` to run gridshare as on an install without the optional
// TensorFlow.js: resolving "@tensorflow/tfjs" fails as it does when the package is absent.
const Module = require("node:module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === "@tensorflow/tfjs" || request.startsWith("@tensorflow/tfjs/")) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = "MODULE_NOT_FOUND";
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
