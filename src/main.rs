fn main() -> std::process::ExitCode {
    uniqchat::cli::main()
}
