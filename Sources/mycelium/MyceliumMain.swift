import MyceliumCLI

@main
enum MyceliumMain {
    static func main() async {
        await MyceliumCommand.main()
    }
}
