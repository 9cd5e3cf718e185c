// swift-tools-version:6.2
import PackageDescription

/// Every target of ours compiles in Swift 6 language mode with strict concurrency and treats warnings as errors.
let strictSettings: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "mycelium-swift",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mycelium", targets: ["mycelium"]),
        .library(name: "MyceliumCore", targets: ["MyceliumCore"]),
        .library(name: "MyceliumCrypto", targets: ["MyceliumCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // MARK: - System libraries and C shims
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "CTun"),

        // MARK: - Libraries
        .target(
            name: "MyceliumCrypto",
            dependencies: ["CSodium", "COpenSSL"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MyceliumCore",
            dependencies: [
                "MyceliumCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MyceliumGatewayKit",
            dependencies: [
                "MyceliumCore",
                "MyceliumCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: - Gateways (one target per adapter family; they see the node only through `MessageBus`)
        .target(
            name: "MyceliumMailGateway",
            dependencies: [
                "MyceliumCore",
                "MyceliumCrypto",
                "MyceliumGatewayKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Gateways/Mail",
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MyceliumNode",
            dependencies: [
                "MyceliumCore",
                "MyceliumCrypto",
                "MyceliumGatewayKit",
                "CTun",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MyceliumCLI",
            dependencies: [
                "MyceliumCore",
                "MyceliumNode",
                "MyceliumGatewayKit",
                "MyceliumMailGateway",
                .product(name: "Logging", package: "swift-log"),
                "MyceliumCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "mycelium",
            dependencies: ["MyceliumCLI"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MyceliumTesting",
            dependencies: [
                "MyceliumCore",
                "MyceliumCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: - Tests
        .testTarget(
            name: "MyceliumCryptoTests",
            dependencies: ["MyceliumCrypto"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MyceliumCoreTests",
            dependencies: [
                "MyceliumCore",
                "MyceliumCrypto",
                "MyceliumTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MyceliumNodeTests",
            dependencies: [
                "MyceliumNode",
                "MyceliumCore",
                "MyceliumCrypto",
                "MyceliumGatewayKit",
                "MyceliumTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MyceliumGatewayKitTests",
            dependencies: [
                "MyceliumGatewayKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                "MyceliumCore",
                "MyceliumCrypto",
                "MyceliumNode",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MyceliumMailGatewayTests",
            dependencies: [
                "MyceliumMailGateway",
                "MyceliumGatewayKit",
                "MyceliumCore",
                "MyceliumCrypto",
                "MyceliumTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MyceliumCLITests",
            dependencies: [
                "MyceliumCLI",
                "MyceliumGatewayKit",
                "MyceliumMailGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "MyceliumCore",
                "MyceliumCrypto",
                "MyceliumNode",
                "mycelium",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SystemLibrariesTests",
            dependencies: ["CSodium", "CXML2", "COpenSSL", "CTun"],
            swiftSettings: strictSettings
        ),
    ]
)
