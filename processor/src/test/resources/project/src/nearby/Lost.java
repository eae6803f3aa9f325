package nearby;

import dev.arrakis.annotations.Experiment;

@Experiment(config = "models/elsewhere/config.json")
public class Lost {
}
