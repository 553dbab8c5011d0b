//! Built-in scenarios: the calibration rows of `docs/model.md` §7 and the teaching scenarios. Their ids are
//! stable (links and scripts use them). Each is a plain scenario file under `crates/engine/presets/`, so what a
//! preset does is readable and exportable, and it uses the engine's default settings unless it says otherwise.

use crate::scenario::{Scenario, ScenarioError};

pub struct Preset {
    pub id: &'static str,
    pub title: &'static str,
    /// One paragraph: what to watch when it runs.
    pub what_to_look_at: &'static str,
    /// The published end-to-end time this preset must reproduce (calibration rows only).
    pub published_s: Option<f64>,
    pub json: &'static str,
}

impl Preset {
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_json(self.json)
    }
}

macro_rules! preset {
    ($id:literal, $title:literal, $published:expr, $look:literal) => {
        Preset {
            id: $id,
            title: $title,
            what_to_look_at: $look,
            published_s: $published,
            json: include_str!(concat!("../presets/", $id, ".json")),
        }
    };
}

static PRESETS: &[Preset] = &[
    preset!(
        "fargate-ondemand-1000",
        "Calibration: 1,000 tasks on Fargate On-Demand (published 208 s)",
        Some(208.0),
        "One service goes from 0 to 1,000 tasks. The service launch rate (500 tasks/min) paces the launches, not the \
         Fargate bucket (20/s): the launch curve is flat at ~8 tasks/s for two minutes, then the last tasks take about \
         a minute and a half to get through provisioning, ENI, public IP and image pull."
    ),
    preset!(
        "fargate-spot-1000",
        "Calibration: 1,000 tasks on Fargate Spot (published 353 s)",
        Some(353.0),
        "The same service on Fargate Spot, with the Spot capacity the Region had during the 2022 benchmark \
         (availability benchmark_2022). Launch tokens are not the problem: capacity is granted at a few tasks per \
         second, so tasks queue in PROVISIONING (watch the backlog chart) and the run takes far longer. With \
         plentiful capacity the run would take as long as On-Demand."
    ),
    preset!(
        "fargate-5050-1000",
        "Calibration: 1,000 tasks split 50/50 On-Demand / Spot (published 213 s)",
        Some(213.0),
        "Half the tasks on each provider, with the 2022 benchmark's Spot capacity. The two launch buckets are \
         separate and only 500 tasks wait for Spot capacity, so the mix is nearly as fast as On-Demand alone."
    ),
    preset!(
        "fargate-no-public-ip-1000",
        "Calibration: 1,000 tasks on Fargate without public IP (published 199 s)",
        Some(199.0),
        "Like the On-Demand row, but tasks get no public IPv4 address: one lifecycle step less for every task."
    ),
    preset!(
        "fargate-lb-1000",
        "Calibration: 1,000 tasks on Fargate behind a load balancer (published 252 s)",
        Some(252.0),
        "Each task registers with a target group (ACTIVATING) and must pass its health checks before the service \
         counts it: the steady line comes later than the running line."
    ),
    preset!(
        "ec2-cold-1000",
        "Calibration: 1,000 tasks on EC2 with no instances at the start (published 1,118 s)",
        Some(1118.0),
        "An Auto Scaling group provider with managed scaling starts empty. At most 300 tasks may wait in PROVISIONING, \
         CapacityProviderReservation is computed once a minute, and no new scale-out starts while an instance is \
         in its 300 s warm-up: watch the instance count climb in steps five minutes apart and the tasks follow it."
    ),
    preset!(
        "ec2-warm-1000",
        "Calibration: 1,000 tasks on EC2 instances already running (published 270 s)",
        Some(270.0),
        "Capacity is already there, so the service's own launch rate (250 tasks/min in the 2022 profile) paces the \
         rollout: a straight launch line for four minutes."
    ),
    preset!(
        "ec2-host-1000",
        "Calibration: 1,000 tasks on EC2 in host network mode (published 270 s)",
        Some(270.0),
        "Host networking binds the task's port on the instance itself, so each instance runs one task per port: \
         1,000 small instances, one task each. The launch rate, not the network mode, decides the time."
    ),
    preset!(
        "stress-100k",
        "Stress: 100 services x 1,000 tasks over EC2, EC2 Spot and Fargate, 6 hours",
        None,
        "100,000 tasks: 40 services on On-Demand instances, 30 on diversified Spot instances with draining, 30 split \
         between Fargate and Fargate Spot. The Fargate services queue on the shared launch buckets while \
         the EC2 ones launch at 500 tasks/min each; Spot waves at 2, 3 and 4 hours, a deployment at 5 hours."
    ),
    preset!(
        "fargate-three-services",
        "Three services deploying at once share the Fargate bucket",
        None,
        "Three services of 1,000 tasks each start together. Each could launch 500 tasks/min (25 tasks/s together), but \
         they share the account's Fargate On-Demand bucket of 20 tasks/s: the bucket chart is emptied at every workflow \
         cycle and refills between them, the last service is steady about a minute later than one service alone would \
         be, and the summary names the bucket as the limit of the services that got the fewest tokens. On EC2 capacity \
         each service would have its own launch rate."
    ),
    preset!(
        "fargate-vcpu-quota",
        "A service bigger than the Fargate vCPU quota",
        None,
        "The account's Fargate On-Demand vCPU quota is set to 100 vCPUs (the quota is account-specific: the \
         documentation gives 6 for a new account). The service api wants 150 tasks of 1 vCPU: the first 100 launch, \
         then every workflow cycle ECS refuses the next launch (\"You've reached the limit on the number of vCPUs you \
         can run concurrently\"), so the running line stops at 100, the service never becomes steady, and the summary \
         names the quota as what limited it and lists the quota hit with its refusals. The service worker runs its 50 \
         tasks on Fargate Spot, which has its own vCPU quota, and is steady. Set \
         limits.fargate_on_demand_vcpu_quota to 150 and api reaches its desired count."
    ),
    preset!(
        "fargate-runtask-burst",
        "A RunTask burst of 1,000 Fargate tasks",
        None,
        "A script asks for 1,000 standalone tasks at once, 10 per call. The first 100 go at once (the Fargate bucket's \
         burst), then calls are throttled and retried as tokens come back at 20 tasks/s."
    ),
    preset!(
        "fargate-spot-interruption",
        "A Fargate Spot interruption wave and its replacements",
        None,
        "A service of 400 tasks split 1:3 between On-Demand and Spot (base 20 On-Demand). At 10 minutes, 30% of the Spot \
         tasks get the two-minute warning: they stop, and the scheduler replaces them on Spot again (a strategy is a \
         split, not a fallback). At 20 minutes Spot capacity runs dry and the next wave's replacements wait."
    ),
    preset!(
        "fargate-base-weight",
        "Capacity provider base and weight",
        None,
        "FARGATE with base 2 and weight 1, FARGATE_SPOT with weight 3, scaled from 10 to 100 tasks: the first 2 tasks \
         always go On-Demand, the rest split 1:3. Compare the two running lines."
    ),
    preset!(
        "fargate-failing-deployment",
        "A bad revision: circuit breaker and rollback",
        None,
        "A healthy service of 50 tasks is deployed to a revision whose tasks fail to start. The scheduler backs off \
         exponentially, the circuit breaker counts the failures, and the deployment rolls back to the last good \
         revision."
    ),
    preset!(
        "fargate-vs-ec2-six-services",
        "Six services deploying at once: Fargate vs EC2",
        None,
        "Six services on Fargate share one account bucket of 20 tasks/s; six on EC2 each keep 250 tasks/min and need \
         no launch token, 25 tasks/s together. Compare the steady times in the summary: the six EC2 services are \
         steady by about 155 s, the last Fargate one more than a minute later. Six is past the crossover: about 5 \
         services at 250 tasks/min, 3 at 500 tasks/min."
    ),
    preset!(
        "ec2-runtask-burst",
        "A RunTask burst of 3,000 tasks on EC2",
        None,
        "No Fargate bucket is involved: the RunTask API bucket lets 100 calls (1,000 tasks) through at once, then 40 \
         calls (400 tasks) per second. Watch the RunTask bucket empty and the launch curve step down."
    ),
    preset!(
        "ec2-spot-draining",
        "An EC2 Spot wave, with and without instance draining",
        None,
        "Half of each Spot pool is reclaimed at 600 s. The drained service starts replacements at the notice and \
         keeps its healthy count; the other loses half its tasks when the instances die two minutes later: its running \
         count dips from 48 to 24 at 720 s (72 running in all) until replacements come. Split the charts by service \
         to see the two apart."
    ),
    preset!(
        "ec2-stuck-host-port",
        "A rolling deployment stuck on a fixed host port",
        None,
        "The deployment at 300 s never finishes: the new revision needs port 80, every instance has it taken, and \
         minimumHealthyPercent 100 forbids stopping an old task first. No instance has room, so the scheduler backs \
         off exponentially (10 s, 20 s, 40 s, ...) instead of retrying every cycle: the summary names the backoff."
    ),
    preset!(
        "ec2-mixed-sizes",
        "Tasks bigger than the smallest instance type never scale the group",
        None,
        "The tasks fit only the larger of the group's two types. ECS leaves tasks its smallest type cannot run out of \
         the scale-out estimate: no instance is launched, CapacityProviderReservation stays at 100%, and the tasks \
         wait in PROVISIONING until they time out after 30 minutes."
    ),
    preset!(
        "ec2-consolidation",
        "Consolidating many tiny services onto a few instances",
        None,
        "48 tiny tasks binpacked by memory onto a handful of t3.large instances. Compare the cost per hour with one \
         instance per site."
    ),
    preset!(
        "ec2-insufficient-capacity",
        "EC2 insufficient capacity: one instance type vs a diversified group",
        None,
        "c5.xlarge is out of capacity in both zones until 600 s. The diversified group passes over the dry pools and \
         launches m5.xlarge: its service is steady within minutes. The single-type group's launches fail every \
         minute (its label in the cluster view and the summary count them) and its tasks wait in PROVISIONING until \
         c5.xlarge comes back in us-east-1b."
    ),
    preset!(
        "cost-by-category",
        "Where the money goes: cost by capacity type, service and load balancer",
        None,
        "The cost chart draws a line per category and the total. The load balancer's LCU-hours (50 GB an hour \
         processed) cost more than its ALB-hours, and it costs web more than web's public IPv4 addresses. The summary \
         bills Fargate tasks to their services and the EC2 instances to their capacity provider, never to batch."
    ),
    preset!(
        "fargate-task-retirement",
        "Fargate task retirement: replacement within the deployment bounds",
        None,
        "At 600 s AWS sends a task retirement notice for the Fargate platform revision every task runs on; the \
         account's wait period is 0, so retirement starts at once (the default is 7 days, 14 at most). api keeps \
         minimumHealthyPercent 100 / maximumPercent 200: its scheduler starts 10 replacements first and stops a \
         retired task only once a replacement is healthy, so api never has fewer than 10 healthy tasks. worker has \
         50 / 100: there is no room to start first, so it stops 5 retired tasks at once and drops to 5 healthy tasks \
         until their replacements run. The 4 standalone report tasks are stopped with the retirement as their reason \
         and nothing replaces them. So the running chart drops from 24 to 15 tasks at 600 s and climbs back to 20, \
         never 24 again. The charts mark the notice and the retirement; the summary lists the retirement with 24 tasks."
    ),
    preset!(
        "managed-instances-vs-asg",
        "Managed Instances vs an Auto Scaling group vs Fargate: one rollout, three kinds of capacity",
        None,
        "Three services of 100 tasks (1 vCPU, 2 GiB) scale out together at 0 s and back to 0 at 30 minutes: one on an \
         Amazon ECS Managed Instances provider (2-16 vCPU, 4-64 GiB, Intel), one on an Auto Scaling group of m5.xlarge \
         with managed scaling that starts empty, one on Fargate. Fargate is steady first (nothing to boot). Managed \
         Instances launches instances for the waiting tasks a second after each workflow cycle, of the type that runs \
         each batch for the lowest price (a mix of m5 and c5 sizes), so it is steady before the ASG, which waits for a \
         once-a-minute CapacityProviderReservation reading and then for its instances' 300 s warm-up. After the \
         scale-in to 0, idle managed instances are removed 5 minutes later (scaleInAfter; AWS does not publish the \
         default, 300 s is an assumption), while the ASG needs 15 minutes of low readings before it scales in; Fargate \
         stops billing with its tasks. In the cost table the ASG provider costs the most, and the Managed Instances \
         provider's cost includes its management fee (assumed 12.1% of the On-Demand price)."
    ),
    preset!(
        "savings-plan-breakeven",
        "Savings Plan and Reserved Instances: commit to the base, not the peak",
        None,
        "Watch the summary's commitments block: cost with and without, the commitment lost in web's four quiet \
         hours, and the plan's best and break-even hourly commitment. The m5.xlarge Reserved Instance covers both \
         m5.large instances; the Fargate Spot worker is never covered."
    ),
    preset!(
        "two-knobs-morning-ramp",
        "Two knobs on EC2: service auto scaling over managed scaling in a morning ramp",
        None,
        "From 07:00 local time the requests climb from 300/s to 3,000/s by 09:00. Watch the utilisation chart: CPU \
         rises over the 60% target line, the AlarmHigh needs 3 one-minute datapoints and the scaling actions (marks) \
         raise the desired count; the new tasks wait in PROVISIONING until managed scaling's next evaluation launches \
         instances and they boot. Served load lags the offered load during the ramp and some requests are dropped: \
         two mechanisms in series, each with its own delay."
    ),
    preset!(
        "flash-sale-fargate-vs-ec2",
        "Flash sale: Fargate vs warm EC2, standard vs high-resolution metrics",
        None,
        "The same 8x flash sale hits three copies of a service at 15 minutes. All three wait for their AlarmHigh (3 \
         datapoints) before scaling; the warm EC2 copy then starts its tasks fastest (instances running, image \
         cached), Fargate pays for capacity, ENI and image pull. The copy on the 20-second high-resolution metric \
         scales out 80 s after the step instead of 240 s and drops the fewest requests."
    ),
    preset!(
        "ec2-burst-onto-fargate",
        "An EC2 service bursting onto Fargate in a second service",
        None,
        "Two services share one target group: 18 tasks on a fixed EC2 group and a Fargate service from 1 task that \
         target tracking scales on CPU at 60%. At 1,000 requests/s the 19 tasks sit near 55% and nothing moves. On \
         the ramp every task goes over 60% and only the Fargate service can grow, but target tracking sizes it as \
         if the metric fell with its own tasks (ceil(current x metric / target)) while the load is spread over all \
         18 + n targets: each step is too small and waits out the 300 s scale-out cooldown (1 -> 2 -> 4 -> 7 -> \
         12 ...), about 50 tasks by the peak, while the EC2 tasks sit at 100% and drop a tenth or more of their \
         load. The EC2 group never changes; after the peak the Fargate service scales back in."
    ),
    preset!(
        "death-spiral",
        "The death spiral and its cure",
        None,
        "Tasks kept at 100% CPU fail their load balancer health checks. `spiral` (4 tasks for 600 requests/s) loses \
         its tasks, their load moves to the rest, and every replacement fails in turn: most requests are dropped and \
         the replacements count climbs. `cured` keeps headroom (minimum 8 tasks, target tracking at 50%): it serves \
         the step with no task lost."
    ),
    preset!(
        "t-family-nightly-batch",
        "T-family consolidation: daytime credits spent on a nightly batch",
        None,
        "Two t3.medium instances host three idle services each and bank CPU credits all day. At 20:00 each runs a \
         nightly batch hard. Watch the summary's cpu_credits block: the standard group empties its balance after \
         about 7.5 hours and is throttled to its 20% baseline, so its batch finishes more than an hour later; the \
         unlimited group spends surplus credits instead (negative minimum balance), finishes on time, and pays most \
         of them back from its idle hours: nothing is charged."
    ),
    preset!(
        "nightly-0200-burst",
        "Nightly 02:00 scheduled RunTask burst (EventBridge Scheduler)",
        None,
        "At 02:00 Tokyo time (30 minutes in) twenty schedules at cron(0 2 * * ? *) each call RunTask for 10 Fargate \
         tasks in the same instant. The Fargate RunTask call bucket (20 calls) and launch bucket (100 tasks) empty at \
         once: half the calls are throttled and EventBridge Scheduler retries them with exponential backoff, so the 200 \
         tasks start over a few seconds instead of at once (summary: schedules, throttled calls, retries). `fragile` has \
         MaximumRetryAttempts 0: throttled once, it is dropped and its tasks never run. `report-flex` has a 15-minute \
         flexible time window: it fires later in the window and is never throttled. The charts mark each firing time."
    ),
    preset!(
        "lazy-sqs-workers",
        "Lazy SQS workers: scale to zero and back",
        None,
        "Watch the queue chart: the backlog climbs while no worker runs, the step alarm on visible messages starts \
         one task (back from zero), target tracking on backlog per task (target 30 = 60 s acceptable latency / 2 s per \
         message) scales out once it runs, and the backlog and oldest-message age fall. The Spot interruption at 20 \
         minutes leaves in-flight messages: the trace shows them visible again after the 120 s visibility timeout and \
         the summary's queues block counts them as redelivered. After 15 empty minutes the count goes back to 0, \
         and the second burst starts it all again."
    ),
    preset!(
        "custom-metric-connections",
        "Target tracking on a customized metric: open connections per task",
        None,
        "A WebSocket gateway scaled on its own metric, OpenConnections divided by the running tasks, target 500 per \
         task. Watch the customized-metric chart: the per-task value sits on the dashed target at 4 tasks, climbs \
         above it during the ramp (10 to 20 minutes) while the scale-out alarm band is up, and each scaling action \
         brings it back; at the peak 16 tasks hold 8,000 connections. After the drop at 40 minutes it reads far below \
         the target and scale-in, slower by design, takes the count back down to 4."
    ),
    preset!(
        "batch-nightly-array-spot",
        "AWS Batch: a nightly array of 10,000 on Spot, capped by maxvCpus",
        None,
        "At 02:00 an EventBridge schedule makes one SubmitJob call: an array job of 10,000 children (1 vCPU each). \
         Watch the Batch charts: RUNNABLE jumps to 10,000, the Spot compute environment scales to its maxvCpus of 256 \
         (16 c5.4xlarge) and never beyond, and RUNNING stays at or under 256 for the whole night, so the database \
         behind the jobs never sees more than 256 connections. The backlog drains at about 256 jobs per job length: \
         the makespan is about an hour, not the minute one child takes."
    ),
    preset!(
        "batch-fargate-vs-ec2-short-jobs",
        "AWS Batch on Fargate vs on EC2: 2,000 short jobs each",
        None,
        "The same 2,000 jobs of 20 s go to a Fargate queue and to an EC2 queue with no instances. Fargate jobs start \
         at once but are paced by the account's Fargate RunTask call bucket (one call per job, 20 a second; watch it \
         empty), each spending about a minute starting (capacity, ENI, uncached image pull); the EC2 jobs wait a minute and a half for the first instances to boot \
         and register, then start faster (40 RunTask calls a second, cached image). Median waits come out close; \
         the EC2 environment scales to 2,000 vCPUs for 20-second jobs and costs more than Fargate here."
    ),
    preset!(
        "batch-two-queue-priorities",
        "AWS Batch: two job queues of different priority sharing one compute environment",
        None,
        "A reporting queue (priority 1) has filled a 64-vCPU compute environment with 1,000 jobs when, 5 minutes in, \
         200 interactive jobs arrive in a queue of priority 100 on the same environment. From the next scheduler \
         pass every vCPU that frees up goes to an interactive job until that queue is empty: no reporting job starts \
         meanwhile (summary: the interactive queue's waits are minutes, the reporting queue's much longer)."
    ),
    preset!(
        "batch-spot-reclaim-retries",
        "AWS Batch: a Spot reclaim in the middle of array jobs, with and without retries",
        None,
        "Two arrays of 60 children of about 20 minutes run side by side on one Spot compute environment; 10 minutes \
         in, EC2 Spot reclaims half of its instances (two-minute notice). The children on them fail with \"Host EC2 \
         (instance ...) terminated.\": the resilient array's evaluateOnExit RETRY puts them back to RUNNABLE and Batch \
         launches replacement instances, so all 60 succeed; the fragile array (one attempt) ends with those \
         children FAILED. The summary counts the reclaims and retries."
    ),
    preset!(
        "batch-allocation-under-shortage",
        "AWS Batch: allocation strategies when an instance type's capacity runs out",
        None,
        "Three compute environments (BEST_FIT, BEST_FIT_PROGRESSIVE, SPOT_PRICE_CAPACITY_OPTIMIZED) may launch \
         c5.2xlarge or m5.2xlarge, and the cheaper c5.2xlarge has no capacity for the first 30 minutes. Watch the \
         trace and the per-queue waits: BEST_FIT waits for the type it selected, every pass's launch of \
         c5.2xlarge is refused (the summary's launches_refused) and its 64 jobs stay RUNNABLE until 30:00, then \
         c5.2xlarge instances run them; the other two select m5.2xlarge at once and their jobs are done in about \
         13 minutes. BEST_FIT's queue still costs less than BEST_FIT_PROGRESSIVE's (the cheaper c5 vCPU), half an \
         hour later; none of them goes past maxvCpus 64."
    ),
];

pub fn all() -> &'static [Preset] {
    PRESETS
}

pub fn get(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// "unknown preset `x`; known presets: a, b, ..." for error messages.
pub fn unknown_message(id: &str) -> String {
    let ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
    format!("unknown preset `{id}`; known presets: {}", ids.join(", "))
}
