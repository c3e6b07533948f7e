using HwGen.Cli;

return CliApp.Run(args);
