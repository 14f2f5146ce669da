// A module used through taskRef(url, name).
export const triple = (x) => x * 3;
