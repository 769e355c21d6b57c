import Foundation
import PackagePlugin

/// Embeds the `.lua` files of a target's `Lua/` folder in its build as Swift string literals
/// (`EmbeddedLua.files`), so the library Redis loads travels inside every binary: nothing to
/// install beside it, and any working directory will do.
@main
struct EmbedLua: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let folder = target.directoryURL.appending(path: "Lua")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "lua" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedLua.swift")
        return [.buildCommand(displayName: "Embedding \(files.count) Lua files of \(target.name)",
                              executable: try context.tool(named: "PetalLuaEmbedder").url,
                              arguments: [output.path] + files.map(\.path),
                              inputFiles: files, outputFiles: [output])]
    }
}
