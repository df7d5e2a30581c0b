// The server holds many small, short-lived allocations per connection; see docs/performance.md
// for what this allocator changed in memory per connection and message rate.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    uniqchat::cli::main()
}
