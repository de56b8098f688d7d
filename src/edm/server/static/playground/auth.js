// The bearer token: one input kept in localStorage, and in development mode
// a "Mint dev token" button backed by the server's dev-only endpoint.

const STORAGE_KEY = "edm.playground.token";

function storedToken() {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? "";
  } catch {
    return ""; // storage disabled: the token lives only in the input
  }
}

function storeToken(token) {
  try {
    if (token) localStorage.setItem(STORAGE_KEY, token);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: nothing to keep
  }
}

async function mint(path, claims) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(claims),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const fields = (body.errors ?? []).map((e) => `${e.field}: ${e.message}`).join("; ");
    throw new Error([body.detail ?? `HTTP ${response.status}`, fields].filter(Boolean).join(" — "));
  }
  return body.token;
}

/** A <details> popover closes on Escape (focus back on its summary) or a click outside. */
function closeOnEscapeOrOutside(details) {
  details.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && details.open) {
      details.open = false;
      details.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (details.open && !details.contains(event.target)) details.open = false;
  });
}

/**
 * Wire the token bar of index.html.
 * @param {{dev_mode: boolean, dev_token_path: string}} config
 * @param {(message: string, kind?: string) => void} notify
 * @returns {() => string} the current token
 */
export function setUpAuth(config, notify) {
  const input = /** @type {HTMLInputElement} */ (document.getElementById("token"));
  input.value = storedToken();
  input.addEventListener("input", () => storeToken(input.value.trim()));
  document.getElementById("auth").addEventListener("submit", (event) => event.preventDefault());

  if (config.dev_mode) {
    const button = /** @type {HTMLButtonElement} */ (document.getElementById("mint"));
    const claims = document.getElementById("claims");
    button.hidden = false;
    claims.hidden = false;
    closeOnEscapeOrOutside(claims);
    button.addEventListener("click", async () => {
      const tenant = document.getElementById("claim-tenant").value.trim();
      const sub = document.getElementById("claim-sub").value.trim();
      const role = document.getElementById("claim-role").value;
      button.disabled = true;
      try {
        input.value = await mint(config.dev_token_path, { tenant_id: tenant, sub, roles: [role] });
        storeToken(input.value);
        notify(`Minted a development token: ${sub} (${role}) in tenant ${tenant}`);
      } catch (error) {
        notify(`Could not mint a token: ${error.message}`, "error");
      } finally {
        button.disabled = false;
      }
    });
  }
  return () => input.value.trim();
}
