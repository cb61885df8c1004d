/// Python files `rar test` writes into its scratch directory. They are RAR's own:
/// a BasicAgent base compatible with the RAPP brainstem's, a network guard, and the harness.
enum SandboxFiles {
    /// The base class agents import as `agents.basic_agent`, `basic_agent` or
    /// `openrappter.agents.basic_agent`.
    static let basicAgent = #"""
    """BasicAgent base supplied by `rar test` (compatible with the RAPP brainstem's)."""


    class BasicAgent:
        """Agents subclass this, set self.name / self.metadata and implement perform()."""

        def __init__(self, name=None, metadata=None):
            if name is not None:
                self.name = name
            elif not hasattr(self, "name"):
                self.name = "BasicAgent"
            if metadata is not None:
                self.metadata = metadata
            elif not hasattr(self, "metadata"):
                self.metadata = {
                    "name": self.name,
                    "description": "",
                    "parameters": {"type": "object", "properties": {}, "required": []},
                }

        def perform(self, **kwargs):
            return "Not implemented."

        def system_context(self):
            return None

        def to_tool(self):
            return {
                "type": "function",
                "function": {
                    "name": self.name,
                    "description": self.metadata.get("description", ""),
                    "parameters": self.metadata.get("parameters", {"type": "object", "properties": {}}),
                },
            }
    """#

    /// Loaded by every Python process in the sandbox (via PYTHONPATH): refuses network sockets.
    static let sitecustomize = #"""
    # rar test: network guard. Only AF_UNIX sockets may connect, bind or send.
    import socket as _s

    _ALLOWED = {getattr(_s, "AF_UNIX", -1)}
    _orig = _s.socket


    def _deny(*_a, **_k):
        raise PermissionError("network access is disabled under `rar test`")


    class _GuardedSocket(_orig):
        def connect(self, *a, **k):
            if self.family not in _ALLOWED:
                _deny()
            return super().connect(*a, **k)

        def connect_ex(self, *a, **k):
            if self.family not in _ALLOWED:
                _deny()
            return super().connect_ex(*a, **k)

        def bind(self, *a, **k):
            if self.family not in _ALLOWED:
                _deny()
            return super().bind(*a, **k)

        def sendto(self, *a, **k):
            if self.family not in _ALLOWED:
                _deny()
            return super().sendto(*a, **k)


    _s.socket = _GuardedSocket
    _s.getaddrinfo = _deny
    _s.gethostbyname = _deny
    _s.create_connection = _deny
    """#

    /// Runs contract tests 4–9 against the agent and writes results as JSON.
    static let harness = #"""
    import importlib.util
    import inspect
    import json
    import os
    import re
    import resource
    import subprocess
    import sys

    agent_path, out_path, mem_mb, cpu_s, standalone_timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    try:
        os.setsid()  # own process group: a wall-clock kill reaches the agent's children
    except OSError:
        pass
    import signal
    # A parent may have ignored or blocked SIGXCPU; the CPU limit must end the agent with it.
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGXCPU})
    for lim, soft, hard in ((resource.RLIMIT_AS, mem_mb << 20, mem_mb << 20), (resource.RLIMIT_CPU, cpu_s, cpu_s + 2),
                            (resource.RLIMIT_FSIZE, 64 << 20, 64 << 20), (resource.RLIMIT_NOFILE, 256, 256)):
        try:
            resource.setrlimit(lim, (soft, hard))
        except (ValueError, OSError):
            pass

    results = []


    def record(name, passed, msg):
        results.append({"name": name, "passed": bool(passed), "message": msg})
        with open(out_path, "w") as fh:
            json.dump(results, fh)


    agent_module = agent_class = agent_instance = None
    try:
        spec = importlib.util.spec_from_file_location("_rar_agent_under_test_", agent_path)
        agent_module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(agent_module)
        for _, obj in inspect.getmembers(agent_module, inspect.isclass):
            if "BasicAgent" in [b.__name__ for b in obj.__mro__] and obj.__name__ != "BasicAgent":
                agent_class = obj
                break
        if agent_class is not None:
            record("has_basic_agent", True, f"Class '{agent_class.__name__}' inherits BasicAgent")
        else:
            record("has_basic_agent", False, "No class inheriting BasicAgent found")
    except BaseException as e:
        record("has_basic_agent", False, f"Import error: {e or type(e).__name__}")

    try:
        if agent_class is not None:
            agent_instance = agent_class()
            record("instantiation", True, f"{agent_class.__name__}() succeeded")
        else:
            record("instantiation", False, "Skipped — no agent class found")
    except BaseException as e:
        record("instantiation", False, f"Instantiation failed: {e or type(e).__name__}")

    try:
        if agent_instance is not None:
            runtime_name = getattr(agent_instance, "name", "")
            metadata = getattr(agent_instance, "metadata", {})
            metadata_name = metadata.get("name", runtime_name) if isinstance(metadata, dict) else None
            if not isinstance(runtime_name, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", runtime_name):
                record("runtime_name_is_tool_safe", False, f"Runtime name {runtime_name!r} must match [A-Za-z0-9_-]+")
            elif metadata_name != runtime_name:
                record("runtime_name_is_tool_safe", False, f"metadata name {metadata_name!r} must match runtime name {runtime_name!r}")
            else:
                record("runtime_name_is_tool_safe", True, f"Runtime name '{runtime_name}' is tool-safe")
        else:
            record("runtime_name_is_tool_safe", False, "Skipped — no agent instance")
    except BaseException as e:
        record("runtime_name_is_tool_safe", False, f"Error: {e}")

    try:
        if agent_instance is not None:
            result = agent_instance.perform()
            if isinstance(result, str):
                preview = result if len(result) <= 80 else result[:77] + "..."
                record("perform_returns_str", True, f"perform() returned str ({len(result)} chars): {preview!r}")
            else:
                record("perform_returns_str", False, f"perform() returned {type(result).__name__}, expected str")
        else:
            record("perform_returns_str", False, "Skipped — no agent instance")
    except BaseException as e:
        record("perform_returns_str", False, f"perform() raised: {e or type(e).__name__}")

    try:
        proc = subprocess.run([sys.executable, "-s", agent_path], capture_output=True, text=True,
                              timeout=standalone_timeout, cwd=os.path.dirname(agent_path))
        if proc.returncode == 0:
            record("standalone_execution", True, "python agent.py exited 0")
        else:
            record("standalone_execution", False, f"Exited {proc.returncode}: {proc.stderr.strip()[:120]}")
    except subprocess.TimeoutExpired:
        record("standalone_execution", False, f"Timed out after {standalone_timeout} seconds")
    except BaseException as e:
        record("standalone_execution", False, f"Error: {e}")

    if agent_module is not None:
        doc = getattr(agent_module, "__doc__", None)
        if doc and doc.strip():
            record("has_docstring", True, f"Module docstring present ({len(doc.strip())} chars)")
        else:
            record("has_docstring", False, "Module docstring missing or empty")
    """#
}
