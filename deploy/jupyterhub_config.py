"""JupyterHub configuration of a shared fork-explorer reading room.

`fork-explorer hub` runs `jupyterhub -f deploy/jupyterhub_config.py` with the
FORK_EXPLORER_HUB_* variables below set; a real group can run the same file
(see the README, "Running a shared room on JupyterHub") after choosing its own
authenticator and spawner at the two marked places.

What it sets up:
- everything on 127.0.0.1: the public proxy port, the proxy's API, the hub's
  API and every member's single-user server;
- each member's single-user server (a Jupyter server) opens the reading room,
  the same app notebook `fork-explorer serve` shows, through Voila's server
  extension (/user/NAME/voila/render/app.ipynb);
- one annotation and tour store for all members (FORK_EXPLORER_ANNOTATIONS, a
  shared folder, with the tours in its tours/): every save goes through the Store's lock and conflict check, and
  each note records its author (JUPYTERHUB_USER, see explorer.members).
"""
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

REPO = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("FORK_EXPLORER_HUB_STATE", REPO / ".hub" / "state"))
PORT = int(os.environ.get("FORK_EXPLORER_HUB_PORT", "9400"))
PROXY_API_PORT = int(os.environ.get("FORK_EXPLORER_HUB_PROXY_API_PORT", "9401"))
HUB_API_PORT = int(os.environ.get("FORK_EXPLORER_HUB_API_PORT", "9402"))
STATE.mkdir(parents=True, exist_ok=True)

# -- network: 127.0.0.1 only ------------------------------------------------------------
c.JupyterHub.bind_url = f"http://127.0.0.1:{PORT}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_API_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = [os.environ.get(
    "FORK_EXPLORER_HUB_PROXY", str(REPO / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"))]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.Spawner.ip = "127.0.0.1"

# -- the hub's own files, kept out of the checkout's tracked tree -------------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# stopping the hub stops the proxy and every member's server with it
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# -- who may come in (1/2): the authenticator ---------------------------------------------
# Here: one password shared by the group, any member name (a small trusted group, or
# tests).  A real group replaces these lines, e.g. GitHub accounts (pip install
# oauthenticator):
#   c.JupyterHub.authenticator_class = "github"
#   c.GitHubOAuthenticator.oauth_callback_url = "https://room.example.org/hub/oauth_callback"
#   c.GitHubOAuthenticator.client_id = "..."; c.GitHubOAuthenticator.client_secret = "..."
#   c.GitHubOAuthenticator.allowed_organizations = {"our-reading-group"}
# or accounts members sign up for and an admin approves (pip install jupyterhub-nativeauthenticator):
#   c.JupyterHub.authenticator_class = "native"
#   c.Authenticator.admin_users = {"leader"}
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("FORK_EXPLORER_HUB_PASSWORD") or None
members = [m for m in os.environ.get("FORK_EXPLORER_HUB_MEMBERS", "").split(",") if m.strip()]
if members:
    c.Authenticator.allowed_users = set(m.strip() for m in members)
else:
    c.Authenticator.allow_all = True

# -- how each member's server runs (2/2): the spawner -------------------------------------
# SimpleLocalProcessSpawner runs every member's server as the hub's own user, with a
# home folder per member: fine on one laptop and for tests, no isolation between
# members.  A real group uses system users (the default LocalProcessSpawner with the
# "pam" authenticator), or one container per member (DockerSpawner, KubeSpawner).
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "homes" / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.notebook_dir = str(REPO / "notebooks")
c.Spawner.default_url = "/voila/render/app.ipynb"
c.Spawner.args = [
    # see explorer/cli/cmd_app.py: a busy room must not drop a page's widgets
    "--VoilaExecutor.iopub_timeout=300",
    "--VoilaConfiguration.extension_denylist=['jupyterlab-jupytext', '@voila-dashboards/jupyterlab-preview', "
    "'jupyterlab_pygments']",
    # a member's closed page: its kernel is shut down after 5 idle minutes
    "--MappingKernelManager.cull_idle_timeout=300",
    "--MappingKernelManager.cull_interval=60",
]
if os.geteuid() == 0:
    # a container or CI machine running everything as root (members then share root's rights: see above)
    c.Spawner.args.append("--allow-root")
c.Spawner.environment = {
    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
}
# the shared store (FORK_EXPLORER_ANNOTATIONS; its tours/ folder holds the group's tours unless
# FORK_EXPLORER_TOURS says otherwise; unset: the checkout's kernel-src/annotations and tours),
# the fetched kernel sources and computed caches: the same for every member
c.Spawner.env_keep.extend(["FORK_EXPLORER_ANNOTATIONS", "FORK_EXPLORER_TOURS", "FORK_EXPLORER_HOME",
                          "FORK_EXPLORER_MANIFEST", "FORK_EXPLORER_SOURCE_DIRS", "FORK_EXPLORER_LINUX_GIT"])
# eight members starting at once on two cores take a while; a slow start is not a failure
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.JupyterHub.log_level = os.environ.get("FORK_EXPLORER_HUB_LOG_LEVEL", "WARN")
