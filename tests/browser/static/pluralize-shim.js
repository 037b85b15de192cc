// pluralize 8 is UMD only; index.html loads it as a classic script, which sets this global.
export default globalThis.pluralize;
