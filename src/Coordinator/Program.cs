using CnnDistributed.Coordinator.Cli;

return CommandLineApp.Run(args, CliConsole.System());
