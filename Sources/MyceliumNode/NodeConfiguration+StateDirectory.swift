extension NodeConfiguration {
    /// Where the node keeps its state: `state_dir` / `--state-dir`, else the XDG data directory
    /// (`$XDG_DATA_HOME/mycelium`, default `~/.local/share/mycelium`).
    public func resolvedStateDirectory(environment: [String: String]) -> String {
        if let stateDirectory { return stateDirectory }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/mycelium" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root"
        return home + "/.local/share/mycelium"
    }

    /// The message bus's SQLite database inside the state directory.
    public func messageStorePath(environment: [String: String]) -> String {
        self.resolvedStateDirectory(environment: environment) + "/messages.sqlite"
    }
}
