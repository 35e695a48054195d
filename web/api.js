// The service's API as the page uses it: the caller's token (kept in sessionStorage, gone when
// the tab closes) and fetches that send it. Errors carry the envelope's message.

const TOKEN_KEY = "ceasewatch.token";

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export async function api(path, { method = "GET", body = null, anonymous = false } = {}) {
  const headers = { Accept: "application/json" };
  const token = getToken();
  if (token && !anonymous) headers.Authorization = `Bearer ${token}`;
  if (body !== null) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === null ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error || `${method} ${path}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

// Every row of a paged list (limit ≤ 1000 per page).
export async function allPages(path) {
  const items = [];
  for (let offset = 0; ; offset += 1000) {
    const sep = path.includes("?") ? "&" : "?";
    const page = await api(`${path}${sep}limit=1000&offset=${offset}`);
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) return items;
  }
}

// What a role may do, mirroring the service's policy table (the service still decides).
export function abilities(role) {
  return {
    violations: ["operator", "analyst", "party"].includes(role),
    evidence: ["operator", "analyst"].includes(role),
    review: role === "analyst",
    complaints: ["operator", "analyst", "party"].includes(role),
    complain: role === "party", // an operator may too, in a party's name, with the CLI
  };
}
