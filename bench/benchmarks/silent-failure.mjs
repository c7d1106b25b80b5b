export default { title: 'silent-failure', goals: [], async run(ctx) { ctx.notMeasured('not written yet'); } };
